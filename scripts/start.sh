#!/usr/bin/env bash
# The one start command: installs, builds, runs migrations and starts both planes with embedded
# defaults (embedded Postgres in ./.data, BullMQ on Postgres, the local GGUF model).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec node dist/apps/main.js
