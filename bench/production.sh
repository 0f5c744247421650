#!/usr/bin/env bash
# Benchmarks the gateway in production mode (DATABASE_URL + REDIS_URL) with every request
# authenticated, rate-limited, metered and audited: a fresh database, an organisation with 10^9
# credits and its API key (the key's rate limit raised so the limiter counts but never refuses).
# Usage: npm run build && bash bench/production.sh [--quick]
#        (BENCH_DIST=dist-foo for a private build: bash scripts/build-private.sh dist-foo)
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${BENCH_DIST:-dist}
db=${BENCH_DB:-gw_bench_test}
redis_db=${BENCH_REDIS_DB:-9}
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
redis-cli -n "$redis_db" flushdb >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" REDIS_URL="redis://127.0.0.1:6379/$redis_db"
export JWT_SECRET="bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"
key=$(node "$dist/libs/identity/src/cli/bootstrap.js" --org bench --email bench@example.com --credits 1000000000 2>/dev/null |
  node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).api_key.key')
# Production topology: the benchmarked process is an inference replica; the control plane (queue
# workers: audit rows, ledger settlement) runs as its own process on the load core.
ctl_data=$(mktemp -d)
GATEWAY_ROLE=control CONTROL_PORT=0 DATA_DIR="$ctl_data" LOG_LEVEL=warn taskset -c 1 node "$dist/apps/main.js" >"$ctl_data/control.log" 2>&1 &
ctl_pid=$!
trap 'kill $ctl_pid 2>/dev/null; wait $ctl_pid 2>/dev/null; rm -rf "$ctl_data"' EXIT
export BENCH_GATEWAY_ENV="{\"GATEWAY_ROLE\":\"inference\",\"DATABASE_URL\":\"$DATABASE_URL\",\"REDIS_URL\":\"$REDIS_URL\",\"JWT_SECRET\":\"$JWT_SECRET\",\"RATE_LIMIT_KEY\":\"1000000000\"}"
export BENCH_GATEWAY_HEADERS="{\"authorization\":\"Bearer $key\"}"
node "$dist/bench/run.js" "$@"
