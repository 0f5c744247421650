#!/usr/bin/env bash
# The one start command: installs, builds, runs migrations and starts both planes with embedded
# defaults (embedded Postgres in ./.data, BullMQ on Postgres, the local GGUF model).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# Node's flags unless NODE_OPTIONS says otherwise: a 64 MB young generation and V8's helper threads sized to the CPUs
# this process may use (scripts/node-flags.sh says why).
export NODE_OPTIONS="${NODE_OPTIONS:-$(sh scripts/node-flags.sh)}"
exec node dist/apps/main.js
