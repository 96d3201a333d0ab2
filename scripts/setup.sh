#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, skipping what is present:
# PostgreSQL 15 (server + psql + pgbench), PgBouncer, MariaDB server + client, OpenSSL, Prometheus'
# promtool, the opa CLI, Python clients in .venv (psycopg 3, asyncpg, SQLAlchemy), the pgJDBC test
# program (jar cached in ~/.m2, outside the repo), node_modules and the generated Prisma clients.
# Idempotent: `apt-get update` runs only when a Debian package is missing; a warm run takes ~1 s.
set -euo pipefail
cd "$(dirname "$0")/.."

OPA_VERSION=v1.10.1
PGJDBC_VERSION=42.7.4
PG_MAJOR=15
t0=$(date +%s)
log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# --- Debian packages -------------------------------------------------------------------------
need_apt=()
[ -x /usr/lib/postgresql/$PG_MAJOR/bin/initdb ] || need_apt+=("postgresql-$PG_MAJOR")
command -v psql >/dev/null || need_apt+=("postgresql-client-$PG_MAJOR")
command -v pgbench >/dev/null || need_apt+=("postgresql-client-$PG_MAJOR" "postgresql-$PG_MAJOR")
command -v pgbouncer >/dev/null || need_apt+=(pgbouncer)
command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || need_apt+=(mariadb-server)
command -v mariadb >/dev/null || need_apt+=(mariadb-client)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v javac >/dev/null || need_apt+=(default-jdk-headless)
command -v mvn >/dev/null || need_apt+=(maven)
command -v promtool >/dev/null || need_apt+=(prometheus)
command -v python3 >/dev/null || need_apt+=(python3)
# Debian's python3 needs python3-venv for `python3 -m venv` (a pyenv/official Python has it built in).
if [ ! -x .venv/bin/python ] && command -v python3 >/dev/null && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
  need_apt+=(python3-venv)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  mapfile -t need_apt < <(printf '%s\n' "${need_apt[@]}" | sort -u)
  log "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # The Debian packages start services (PostgreSQL on 5432, MariaDB on 3306, Prometheus on 9090);
  # tests start their own servers on free ports under temp dirs and only need the binaries.
  for svc in postgresql mariadb prometheus pgbouncer; do $SUDO service "$svc" stop >/dev/null 2>&1 || true; done
fi

# --- opa CLI (compile and test Rego policies) --------------------------------------------------
export PATH="$PATH:$HOME/go/bin"
opa_have=$(opa version 2>/dev/null || true)
if [[ "$opa_have" != *"${OPA_VERSION#v}"* ]]; then
  command -v go >/dev/null || die "Go is needed to install opa (go install); install golang"
  log "go install github.com/open-policy-agent/opa@${OPA_VERSION}"
  go install "github.com/open-policy-agent/opa@${OPA_VERSION}"
fi

# --- node_modules ------------------------------------------------------------------------------
# The only dependency with an install script is esbuild (via tsx): its postinstall swaps the JS
# launcher for the native binary; it is approved in package.json "allowScripts" (npm 11+), and
# tsx/esbuild also work without it (checked with --ignore-scripts).
if [ -f package-lock.json ]; then
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
elif [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
  log "npm install (no package-lock.json)"
  npm install --no-audit --no-fund --loglevel=error
fi

# --- Prisma clients for the query history (src/history/generated, gitignored) ------------------
# Offline: no engine download (prisma/generate.mjs sets PRISMA_SCHEMA_ENGINE_BINARY=/bin/true);
# skipped when prisma/schema.prisma and the Prisma versions are unchanged.
node prisma/generate.mjs

# --- Python clients ----------------------------------------------------------------------------
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import psycopg, psycopg_binary, asyncpg, sqlalchemy' 2>/dev/null; then
  log "python venv .venv with psycopg[binary], asyncpg, SQLAlchemy"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check 'psycopg[binary]>=3.2,<4' 'asyncpg>=0.29' 'sqlalchemy>=2.0,<3'
fi

# --- pgJDBC client program -----------------------------------------------------------------------
# The local repository is named explicitly: Java takes user.home from the passwd entry, not $HOME.
m2="${QF_MAVEN_REPO:-$HOME/.m2/repository}"
jar="$m2/org/postgresql/postgresql/${PGJDBC_VERSION}/postgresql-${PGJDBC_VERSION}.jar"
if [ ! -f "$jar" ]; then
  log "maven: org.postgresql:postgresql:${PGJDBC_VERSION} into $m2"
  mvn -q -B -Dmaven.repo.local="$m2" dependency:get -Dtransitive=false -Dartifact="org.postgresql:postgresql:${PGJDBC_VERSION}" >/dev/null ||
    die "mvn dependency:get org.postgresql:postgresql:${PGJDBC_VERSION} failed"
  [ -f "$jar" ] || die "mvn dependency:get did not leave $jar"
fi
out=test/clients/java/build
src=test/clients/java/PgJdbcClient.java
if [ ! -f "$out/PgJdbcClient.class" ] || [ "$src" -nt "$out/PgJdbcClient.class" ] || [ "$(cat "$out/classpath.txt" 2>/dev/null)" != "$jar" ]; then
  log "javac PgJdbcClient"
  mkdir -p "$out"
  javac -encoding UTF-8 -nowarn -d "$out" -cp "$jar" "$src"
  printf '%s\n' "$jar" > "$out/classpath.txt"
fi

log "ready in $(($(date +%s) - t0)) s"
