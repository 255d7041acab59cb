#!/usr/bin/env bash
# Installs what the test suite needs and runs it: Java (PySpark), Chromium (browser tests, PDF reports),
# PostgreSQL (registry tests, started here), the web site's npm packages, the package with its test extras.
# Used by .ci/run and by developers: `bash scripts/test.sh [pytest args]`.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
if [ ${#need_apt[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"
[ -f scripts/build_web.sh ] && bash scripts/build_web.sh
[ -f scripts/services.sh ] && eval "$(bash scripts/services.sh)"

export CLUSTERMAP_DATA_DIR="${CLUSTERMAP_DATA_DIR:-$(cd .. && pwd)/shared/data}"
.venv/bin/ruff check .
.venv/bin/python -m pytest -n 2 --dist loadfile "$@"
