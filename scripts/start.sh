#!/usr/bin/env bash
# The one start command: installs, builds, runs migrations and starts both planes with embedded
# defaults (embedded Postgres in ./.data, BullMQ on Postgres, the local GGUF model).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# A 64 MB young generation unless NODE_OPTIONS says otherwise: requests make short-lived garbage, and the default
# 16 MB semi-space promotes some of it and scavenges ~4x as often (issue 12: about -20 % CPU per call at c=64). It
# costs about +70 MB of RSS idle (embedded: 321 → 393 MB) and +100 MB under load (S6); NODE_OPTIONS=--max-semi-space-size=16 gives that back.
export NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=64}"
exec node dist/apps/main.js
