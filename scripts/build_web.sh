#!/usr/bin/env bash
# Front-end packages of the web site from npm (no CDN at run time): installs the locked versions of
# src/clustermap/web/frontend/package-lock.json with `npm ci` and copies their browser builds into
# src/clustermap/web/static/vendor/ (gitignored). Needs node >= 18 and npm; run once after a checkout and after
# package-lock.json changes:  bash scripts/build_web.sh
set -euo pipefail
cd "$(dirname "$0")/.."
FRONTEND=src/clustermap/web/frontend
VENDOR=src/clustermap/web/static/vendor

command -v npm >/dev/null 2>&1 || { echo "build_web.sh: npm is not installed (apt-get install -y nodejs npm)" >&2; exit 1; }
(cd "$FRONTEND" && npm ci --no-audit --no-fund --loglevel=error)

rm -rf "$VENDOR"
mkdir -p "$VENDOR/maplibre-gl"
cp "$FRONTEND/node_modules/maplibre-gl/dist/maplibre-gl.js" \
   "$FRONTEND/node_modules/maplibre-gl/dist/maplibre-gl.css" \
   "$FRONTEND/node_modules/maplibre-gl/LICENSE.txt" "$VENDOR/maplibre-gl/"
mkdir -p "$VENDOR/swagger-ui"
cp "$FRONTEND/node_modules/swagger-ui-dist/swagger-ui-bundle.js" \
   "$FRONTEND/node_modules/swagger-ui-dist/swagger-ui.css" \
   "$FRONTEND/node_modules/swagger-ui-dist/LICENSE" "$VENDOR/swagger-ui/"
# accessibility checks of the browser tests (a dev dependency; never loaded by the site's pages)
mkdir -p "$VENDOR/axe-core"
cp "$FRONTEND/node_modules/axe-core/axe.min.js" "$FRONTEND/node_modules/axe-core/LICENSE" "$VENDOR/axe-core/"
: > "$VENDOR/VERSIONS"
for pkg in maplibre-gl swagger-ui-dist axe-core; do
  echo "$pkg $(node -p "require('./$FRONTEND/node_modules/$pkg/package.json').version")" >> "$VENDOR/VERSIONS"
done
echo "build_web.sh: copied into $VENDOR: $(tr '\n' ' ' < "$VENDOR/VERSIONS")"
