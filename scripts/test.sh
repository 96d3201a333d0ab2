#!/usr/bin/env bash
# The one test command (npm test): install what is missing, type-check, run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PATH:$HOME/go/bin"
npm run --silent typecheck
npx vitest run "$@"
