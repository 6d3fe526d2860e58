#!/usr/bin/env bash
# Install Renovate's config validator into .tools/renovate (git-ignored), NOT as a project dependency:
# it is only used by the tests (test/renovate/*) to run `renovate-config-validator --strict` on the
# configs we render and merge.
#
#   bash scripts/install-renovate.sh   # then: .tools/renovate/node_modules/.bin/renovate-config-validator
#
# Pin: the newest renovate whose engines.node accepts Node 20 (our floor). renovate 40-41 need
# ^22.13, 42 needs ^22.13 || ^24.11, 43+ need ^24.11; 39.264.1 says "^20.15.1 || ^22.11.0"
# (`npm view renovate@39 engines.node`, 2026-11-27). Move to a newer major when Node 22 is the floor.
# Idempotent: a present install of the pinned version is left alone.
set -euo pipefail

RENOVATE_VERSION=39.264.1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.tools/renovate"
PKG="$PREFIX/node_modules/renovate/package.json"
BIN="$PREFIX/node_modules/.bin/renovate-config-validator"

installed() {
  [[ -f "$PKG" && -x "$BIN" ]] &&
    [[ "$(node -p 'require(process.argv[1]).version' "$PKG" 2>/dev/null)" == "$RENOVATE_VERSION" ]]
}

if installed; then
  printf '%-12s %-10s %s\n' renovate "$RENOVATE_VERSION" "already present"
  exit 0
fi

start=$SECONDS
echo "install-renovate.sh: npm install renovate@$RENOVATE_VERSION into .tools/renovate ..." >&2
mkdir -p "$PREFIX"
# A package.json of its own keeps npm from walking up to the project's package.json.
[[ -f "$PREFIX/package.json" ]] || echo '{ "private": true }' >"$PREFIX/package.json"
npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
  "renovate@$RENOVATE_VERSION" >&2
installed || { echo "install-renovate.sh: error: $BIN is not renovate $RENOVATE_VERSION after npm install" >&2; exit 1; }
printf '%-12s %-10s %s\n' renovate "$RENOVATE_VERSION" "installed ($((SECONDS - start))s)"
