#!/usr/bin/env bash
# The one start command: installs, builds, runs migrations and starts both planes with embedded
# defaults (embedded Postgres in ./.data, BullMQ on Postgres, the local GGUF model).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# A 64 MB young generation: requests make short-lived garbage, and the default 16 MB semi-space promotes some of it
# and scavenges ~4x as often (issue 12: about -20 % CPU per call at c=64, for about +130 MB RSS under load).
exec node --max-semi-space-size=64 dist/apps/main.js
