#!/usr/bin/env bash
# The one test command: installs what the tests need, checks types and lint, runs every suite
# (unit, medium, e2e; embedded and production persistence) and prints the runner's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
bash scripts/ensure-services.sh
bash scripts/install-clients.sh
echo "[test] typecheck + lint"
npx tsc -p tsconfig.json --noEmit
npx eslint . --max-warnings=0
mapfile -t files < <(find dist -path dist/node_modules -prune -o \( -name '*.spec.js' -o -name '*.medium-spec.js' -o -name '*.e2e-spec.js' \) -print | sort)
echo "[test] ${#files[@]} test files"
exec node --test --test-concurrency=1 --test-reporter=spec --test-timeout=600000 "${files[@]}"
