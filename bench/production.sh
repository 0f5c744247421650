#!/usr/bin/env bash
# Benchmarks the gateway in production mode (DATABASE_URL + REDIS_URL) with every feature on (issue 12): a fresh
# database, an organisation with 10^9 credits, and a project key whose project links the bench policy (1,000 deny
# terms, every PII detector, three categories) with a per-user quota and a project budget (held and settled on every
# call, never reached); every gateway path is on the policy surface (/policy/v1/...), where the project's policy and
# quotas apply; the key's rate limit is raised so the limiter counts but never refuses. BENCH_FEATURES=plain: the
# organisation's own key on /v1 (auth, rate limit, credits, audit; no policy, no quotas), as before issue 12.
# Postgres and Redis (the machine's services) are moved to the load core for the run and put back after it, so the
# gateway's core runs the gateway alone (performance.md 6.2).
# Usage: npm run build && [BENCH_REPEAT=3] [BENCH_SERVICE_DELAY_MS=1] bash bench/production.sh [--quick] [--only=...]
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
# S4 builds its own rungs (keys, projects, paths) from the plain configuration; every other scenario gets every feature.
case " $* " in *s4*) default_features=plain ;; *) default_features=full ;; esac
features=${BENCH_FEATURES:-$default_features}
if [ "$features" = full ]; then
  # S5's inline-policy stream type: a project key whose project links a policy is refused an inline one (400).
  export BENCH_POLICY_HEADERS="{\"authorization\":\"Bearer $key\"}"
  key=$(node "$dist/bench/project-keys.js" | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).quota')
  export BENCH_GATEWAY_PREFIX=/policy
fi
echo "[production] features: $features" >&2
# The machine's Postgres and Redis onto the load core (new backends inherit the postmaster's mask); put back on every
# CPU on exit. Not the mask seen at start: a run killed before its trap ran leaves them on the load core, and the next
# run would then "restore" that.
all_cpus="0-$(($(nproc --all) - 1))"
for p in $( (pgrep -x postgres; pgrep -x redis-server) | tr '\n' ' '); do taskset -a -p 2 "$p" >/dev/null 2>&1 || true; done
restore_services() {
  for p in $(pgrep -x postgres; pgrep -x redis-server); do taskset -a -pc "$all_cpus" "$p" >/dev/null 2>&1 || true; done
}
# Production topology: the benchmarked process is an inference replica; the control plane (queue
# workers: audit rows, ledger settlement) runs as its own process on the load core.
ctl_data=$(mktemp -d)
# shellcheck disable=SC2046 # the flags are words (scripts/start.sh's, for the core it runs on)
GATEWAY_ROLE=control CONTROL_PORT=0 DATA_DIR="$ctl_data" LOG_LEVEL=warn taskset -c 1 node $(taskset -c 1 sh scripts/node-flags.sh) "$dist/apps/main.js" >"$ctl_data/control.log" 2>&1 &
ctl_pid=$!
trap 'kill $ctl_pid ${relays[*]:-} 2>/dev/null; wait $ctl_pid 2>/dev/null; rm -rf "$ctl_data"; restore_services' EXIT
# BENCH_SERVICE_DELAY_MS=N: the replica reaches Postgres and Redis through relays adding N ms each way (services in
# another zone; bench/delay-proxy.ts), on the load core. The control process and the harness use them directly.
replica_db=$DATABASE_URL replica_redis=$REDIS_URL relays=()
if [ "${BENCH_SERVICE_DELAY_MS:-0}" != 0 ]; then
  base=${BENCH_PORT_BASE:-47100}
  for pair in "$((base + 5)):127.0.0.1:5432" "$((base + 6)):127.0.0.1:6379"; do
    PORT=${pair%%:*} TARGET=${pair#*:} DELAY_MS=$BENCH_SERVICE_DELAY_MS taskset -c 1 node "$dist/bench/delay-proxy.js" >&2 &
    relays+=($!)
  done
  replica_db="postgres://postgres@127.0.0.1:$((base + 5))/$db" replica_redis="redis://127.0.0.1:$((base + 6))/$redis_db"
  sleep 0.5
  export BENCH_SERVICE_DELAY_MS
  echo "[production] the replica reaches Postgres and Redis with +${BENCH_SERVICE_DELAY_MS} ms each way" >&2
fi
export BENCH_GATEWAY_ENV="{\"GATEWAY_ROLE\":\"inference\",\"DATABASE_URL\":\"$replica_db\",\"REDIS_URL\":\"$replica_redis\",\"JWT_SECRET\":\"$JWT_SECRET\",\"RATE_LIMIT_KEY\":\"1000000000\"}"
export BENCH_GATEWAY_HEADERS="{\"authorization\":\"Bearer $key\"}"
# BENCH_REPEAT=N: N runs in a row, then the median and min–max spread of each headline figure (bench/repeats.ts).
repeat=${BENCH_REPEAT:-1}
marker=$(mktemp)
for ((i = 1; i <= repeat; i++)); do
  [ "$repeat" -gt 1 ] && echo "[production] run $i of $repeat" >&2
  node "$dist/bench/run.js" "$@"
done
if [ "$repeat" -gt 1 ]; then
  mapfile -t runs < <(find bench/out -maxdepth 1 -name 'run-*.json' -newer "$marker" | sort)
  echo
  node "$dist/bench/repeats.js" "${runs[@]}"
fi
rm -f "$marker"
