#!/usr/bin/env bash
# Installs dependencies without ever downloading or compiling llama.cpp, and builds the TypeScript.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
stamp=node_modules/.install-stamp
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "[install] npm install"
  npm install --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
echo "[install] build"
npm run -s build
