#!/usr/bin/env bash
# Services the test suite uses, for a fresh Debian machine (CI) or a developer's box.
#
#   eval "$(bash scripts/services.sh)"
#
# PostgreSQL: installs Debian's `postgresql` when its binaries are missing (needs root, or sudo), makes sure a
# cluster exists, starts it without systemd (pg_ctlcluster, which calls pg_ctl), creates the role and the test
# database when they are missing, and prints the `export CLUSTERMAP_TEST_POSTGRES_URL=...` line that the registry
# tests read. Idempotent: a second run finds everything in place and prints the same line. Everything it says for
# humans goes to stderr; stdout carries only `export` lines, so that `eval` is safe.
#
# Settings (environment): CLUSTERMAP_PG_PORT (5432), CLUSTERMAP_PG_USER (clustermap), CLUSTERMAP_PG_PASSWORD
# (clustermap), CLUSTERMAP_PG_DB (clustermap_test). When PostgreSQL cannot be provided, the script prints nothing
# on stdout and exits 0: the PostgreSQL tests then skip and say why.
set -euo pipefail

PORT="${CLUSTERMAP_PG_PORT:-5432}"
PG_USER="${CLUSTERMAP_PG_USER:-clustermap}"
PG_PASSWORD="${CLUSTERMAP_PG_PASSWORD:-clustermap}"
PG_DB="${CLUSTERMAP_PG_DB:-clustermap_test}"

say() { echo "services.sh: $*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

as_postgres() {
  # run a command as the postgres OS user from a directory it can read
  if [ "$(id -u)" = 0 ]; then
    (cd / && su postgres -s /bin/sh -c "$*")
  else
    (cd / && sudo -u postgres sh -c "$*")
  fi
}

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}

if ! pg_bindir >/dev/null; then
  say "installing PostgreSQL from Debian"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 \
    || ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2; then
    say "cannot install PostgreSQL (not root and no sudo?); the PostgreSQL tests will skip"
    exit 0
  fi
fi
BIN="$(pg_bindir)"
VERSION="$(basename "$(dirname "$BIN")")"

# a cluster: Debian's postgresql-common normally creates "main"; create it when the package did not
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  say "postgresql-common (pg_lsclusters) is missing; the PostgreSQL tests will skip"
  exit 0
fi
CLUSTER="$(pg_lsclusters -h 2>/dev/null | awk -v v="$VERSION" '$1 == v { print $2; exit }')"
if [ -z "$CLUSTER" ]; then
  say "creating the PostgreSQL $VERSION cluster main on port $PORT"
  as_root pg_createcluster "$VERSION" main --port "$PORT" >&2
  CLUSTER=main
fi
CLUSTER_PORT="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c { print $3 }')"
STATUS="$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c { print $4 }')"
if [ "$STATUS" != "online" ]; then
  say "starting PostgreSQL $VERSION/$CLUSTER on port $CLUSTER_PORT (pg_ctlcluster, no systemd)"
  # pg_ctlcluster runs pg_ctl itself when systemd is not the init system (containers, CI)
  as_root pg_ctlcluster "$VERSION" "$CLUSTER" start >&2 || {
    say "pg_ctlcluster failed; trying pg_ctl directly"
    as_postgres "$BIN/pg_ctl -D /var/lib/postgresql/$VERSION/$CLUSTER -o '-c config_file=/etc/postgresql/$VERSION/$CLUSTER/postgresql.conf' -l /tmp/clustermap-postgres.log -w start" >&2
  }
fi
for _ in $(seq 1 30); do
  "$BIN/pg_isready" -q -h 127.0.0.1 -p "$CLUSTER_PORT" && break
  sleep 1
done
if ! "$BIN/pg_isready" -q -h 127.0.0.1 -p "$CLUSTER_PORT"; then
  say "PostgreSQL did not come up on port $CLUSTER_PORT; the PostgreSQL tests will skip"
  exit 0
fi

psql_admin() { as_postgres "psql -X -q -v ON_ERROR_STOP=1 -p $CLUSTER_PORT -tA $*"; }

if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'\"")" != "1" ]; then
  say "creating role $PG_USER"
  psql_admin "-c \"CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD' CREATEDB\""
fi
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = '$PG_DB'\"")" != "1" ]; then
  say "creating database $PG_DB"
  psql_admin "-c \"CREATE DATABASE $PG_DB OWNER $PG_USER\""
fi

say "PostgreSQL $VERSION/$CLUSTER is up on 127.0.0.1:$CLUSTER_PORT, database $PG_DB"
echo "export CLUSTERMAP_TEST_POSTGRES_URL=postgresql+psycopg://$PG_USER:$PG_PASSWORD@127.0.0.1:$CLUSTER_PORT/$PG_DB"
