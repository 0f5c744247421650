#!/usr/bin/env bash
# Builds into a private out dir (default dist-dev/) so parallel work does not race on dist/:
#   bash scripts/build-private.sh dist-foo && node --test dist-foo/path/to/x.spec.js
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist-dev}
# Type errors elsewhere in a shared tree must not stop the build of what compiles (tsc still emits).
npx tsc -p tsconfig.json --outDir "$out" --incremental --tsBuildInfoFile "$out/.tsbuildinfo" || echo "[build-private] type errors (output written anyway)" >&2
npx tsc-alias -p tsconfig.json --outDir "$out"
