#!/usr/bin/env bash
# Rebuild Hearth's vendored front-end assets into src/hearth/core/static/.
#
# Build time only: the app never needs node at run or test time; the output of
# this script is committed. Versions are pinned in package.json/package-lock.json,
# so running it again gives the same files.
#
#   bash scripts/build-frontend.sh
#
# Produces:
#   static/hearth/hearth.css             compiled from static/hearth/scss/hearth.scss
#   static/govuk/govuk-frontend.min.js   GOV.UK Frontend (ES module)
#   static/govuk/assets/images/*         GOV.UK Frontend images (no fonts: no GDS Transport)
#   static/hearth/htmx.min.js            htmx
#   static/VENDORED.txt                  what was vendored, at which version
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATIC="$ROOT/src/hearth/core/static"
NM="$ROOT/node_modules"
cd "$ROOT"

npm ci --no-audit --no-fund --ignore-scripts

GOVUK="$NM/govuk-frontend/dist/govuk"
GOVUK_VERSION="$(node -p 'require("./node_modules/govuk-frontend/package.json").version')"
HTMX_VERSION="$(node -p 'require("./node_modules/htmx.org/package.json").version')"
SASS_VERSION="$(node -p 'require("./node_modules/sass/package.json").version')"
MOJ_VERSION="$(node -p 'require("./node_modules/@ministryofjustice/frontend/package.json").version')"

mkdir -p "$STATIC/hearth" "$STATIC/govuk"

# 1. Sass -> CSS (GOV.UK Frontend configured in hearth.scss: Arial, no font-face).
"$NM/.bin/sass" \
  --no-source-map \
  --style=compressed \
  --quiet-deps \
  --load-path="$NM" \
  --load-path="$ROOT" \
  "$STATIC/hearth/scss/hearth.scss" "$STATIC/hearth/hearth.css"

if grep -q "GDS Transport" "$STATIC/hearth/hearth.css" || grep -q "@font-face" "$STATIC/hearth/hearth.css"; then
  echo "build-frontend: compiled CSS still declares GDS Transport / @font-face" >&2
  exit 1
fi

# 2. GOV.UK Frontend JS. The source map is not vendored, so drop its reference
#    (otherwise collectstatic's manifest storage fails looking for it).
sed -e 's|//# sourceMappingURL=[^ ]*$||' "$GOVUK/govuk-frontend.min.js" \
  > "$STATIC/govuk/govuk-frontend.min.js"

# 3. Images only (the stylesheet refers to some); never the GDS Transport fonts.
rm -rf "$STATIC/govuk/assets"
mkdir -p "$STATIC/govuk/assets/images"
cp "$GOVUK"/assets/images/* "$STATIC/govuk/assets/images/"
# MoJ Frontend's timeline draws a document icon from the same folder.
cp "$NM/@ministryofjustice/frontend/moj/assets/images/icon-document.svg" "$STATIC/govuk/assets/images/"

# 4. htmx.
cp "$NM/htmx.org/dist/htmx.min.js" "$STATIC/hearth/htmx.min.js"

cat > "$STATIC/VENDORED.txt" <<TXT
Built by scripts/build-frontend.sh; do not edit the generated files by hand.
govuk-frontend $GOVUK_VERSION (MIT licence, Crown copyright): govuk/govuk-frontend.min.js, govuk/assets/images/, compiled into hearth/hearth.css
@ministryofjustice/frontend $MOJ_VERSION (MIT licence, Crown copyright): timeline, identity bar and sub-navigation styles, compiled into hearth/hearth.css; govuk/assets/images/icon-document.svg
htmx.org $HTMX_VERSION (Zero-Clause BSD): hearth/htmx.min.js
sass $SASS_VERSION (build only)
TXT

echo "build-frontend: done (govuk-frontend $GOVUK_VERSION, htmx $HTMX_VERSION, sass $SASS_VERSION)"
