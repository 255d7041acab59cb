#!/usr/bin/env bash
# Installs what the test suite needs (Java for PySpark, the package with its test extras) and runs it.
# Used by .ci/run and by developers: `bash scripts/test.sh [pytest args]`.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

export CLUSTERMAP_DATA_DIR="${CLUSTERMAP_DATA_DIR:-$(cd .. && pwd)/shared/data}"
.venv/bin/ruff check .
.venv/bin/python -m pytest -n 2 --dist loadfile "$@"
