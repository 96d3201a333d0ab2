#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, skipping what is present:
# PostgreSQL 15 (+ pgbench), PgBouncer, OpenSSL, the opa CLI, Python clients in .venv, the pgJDBC
# test program (Maven, cached in ~/.m2), and node_modules. Safe to run again: a warm run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

OPA_VERSION=v1.10.1
PGJDBC_VERSION=42.7.4
log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# --- Debian packages -------------------------------------------------------------------------
need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql postgresql-contrib)
command -v psql >/dev/null || need_apt+=(postgresql-client)
command -v pgbench >/dev/null || need_apt+=(postgresql-contrib)
command -v pgbouncer >/dev/null || need_apt+=(pgbouncer)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v mvn >/dev/null || need_apt+=(maven)
command -v promtool >/dev/null || need_apt+=(prometheus)
command -v javac >/dev/null || need_apt+=(default-jdk-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # The Debian packages start services (PostgreSQL on 5432, Prometheus on 9090); tests start their
  # own servers on free ports and only need the binaries (promtool checks /metrics).
  $SUDO service postgresql stop >/dev/null 2>&1 || true
  $SUDO service prometheus stop >/dev/null 2>&1 || true
fi

# --- opa CLI (compile and test Rego policies) --------------------------------------------------
export PATH="$PATH:$HOME/go/bin"
opa_have=$(opa version 2>/dev/null || true)
if [[ "$opa_have" != *"${OPA_VERSION#v}"* ]]; then
  command -v go >/dev/null || { echo "setup: Go is needed to install opa (go install); install golang" >&2; exit 1; }
  log "go install github.com/open-policy-agent/opa@${OPA_VERSION}"
  go install "github.com/open-policy-agent/opa@${OPA_VERSION}"
fi

# --- node_modules ------------------------------------------------------------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- Python clients ----------------------------------------------------------------------------
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import psycopg, asyncpg, sqlalchemy' 2>/dev/null; then
  log "python venv with psycopg, asyncpg, SQLAlchemy"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check 'psycopg[binary]>=3.2' 'asyncpg>=0.29' 'sqlalchemy>=2.0'
fi

# --- pgJDBC client program -----------------------------------------------------------------------
jar="$HOME/.m2/repository/org/postgresql/postgresql/${PGJDBC_VERSION}/postgresql-${PGJDBC_VERSION}.jar"
if [ ! -f "$jar" ]; then
  log "maven: org.postgresql:postgresql:${PGJDBC_VERSION}"
  mvn -q dependency:get -Dartifact="org.postgresql:postgresql:${PGJDBC_VERSION}" >/dev/null
fi
out=test/clients/java/build
src=test/clients/java/PgJdbcClient.java
if [ ! -f "$out/PgJdbcClient.class" ] || [ "$src" -nt "$out/PgJdbcClient.class" ]; then
  log "javac PgJdbcClient"
  mkdir -p "$out"
  javac -d "$out" -cp "$jar" "$src"
fi
printf '%s\n' "$jar" > "$out/classpath.txt"

log "ready"
