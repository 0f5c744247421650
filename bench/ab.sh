#!/usr/bin/env bash
# Paired A/B of two builds, every feature on, production topology (issue 12). On this shared 2-core VM the CPU per
# call of one build varies by ±15 % between runs of production.sh, more than most single changes move it. Here both
# builds run side by side as inference replicas on the gateway core (CPU0), against the same database, Redis, control
# process and mock (CPU1), and take turns: warm-up, then ROUNDS × (A window, B window) of autocannon at a fixed RATE
# (an open loop well below saturation, so both builds serve the same load). Per window: requests, errors, latency and
# the replica's CPU µs per request from /proc; at the end the medians and in how many rounds B used less CPU than A.
# Usage: npm run build && bash scripts/build-private.sh dist-base (the other tree) &&
#        [BENCH_AB_ROUNDS=6] [BENCH_AB_RATE=400] [BENCH_AB_SECS=8] [BENCH_AB_CONNS=32] bash bench/ab.sh dist-base dist
#   BENCH_AB_PERF='syscalls:sys_enter_writev,...'  perf stat of each window into bench/out/ab-perf-<side>-<round>.txt
#   BENCH_AB_NODE_B='--cpu-prof --cpu-prof-dir=/tmp/prof'  extra node flags for B only (profiles, GC traces)
#   BENCH_AB_NODE_CONTROL='--cpu-prof …'  extra node flags for the control process (it runs A's build)
#   BENCH_AB_TENANTS=1  also the CPU µs per request of the load core's tenants in each window (control, Postgres,
#                       Redis, mock): the book-keeping a call causes off the replica (BENCH_AB_RATE=0: closed loop),
#                       and the Redis commands per request (the scripts' inner calls counted; the whole server)
#   BENCH_AB_COUNT=1  both replicas run with bench/runtime-counts.js: per window, the promises, nextTicks and timers
#                     created per call and the GC ms per call (counts repeat from run to run where CPU time does not;
#                     the counting hook costs CPU, equally on both sides)
#   BENCH_AB_SITES=N  as BENCH_AB_COUNT, and one promise in N is counted by where it was made: B's most frequent sites
#                     are printed per call at the end (stack captures are costly: read the sites, not the CPU)
set -euo pipefail
cd "$(dirname "$0")/.."
a=${1:?usage: bash bench/ab.sh <dist-a> <dist-b>} b=${2:?usage: bash bench/ab.sh <dist-a> <dist-b>}
for d in "$a" "$b"; do [ -f "$d/apps/main.js" ] || { echo "[ab] $d/apps/main.js missing: build it first" >&2; exit 2; }; done
[ -n "${BENCH_AB_SITES:-}" ] && export BENCH_AB_COUNT=1 GW_COUNT_SITES=$BENCH_AB_SITES
rounds=${BENCH_AB_ROUNDS:-6} rate=${BENCH_AB_RATE:-400} secs=${BENCH_AB_SECS:-8} conns=${BENCH_AB_CONNS:-32}
db=${BENCH_AB_DB:-gw_ab_test} redis_db=${BENCH_AB_REDIS_DB:-10} base=${BENCH_AB_PORT_BASE:-47210}
mkdir -p bench/out
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null 2>&1
redis-cli -n "$redis_db" flushdb >/dev/null
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" REDIS_URL="redis://127.0.0.1:6379/$redis_db"
export JWT_SECRET="bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"
node "$a/libs/identity/src/cli/bootstrap.js" --org bench --email bench@example.com --credits 1000000000 >/dev/null 2>&1
key=$(node "$a/bench/project-keys.js" | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).quota')
# As production.sh: the machine's Postgres and Redis on the load core for the run, on every CPU again after it.
for p in $( (pgrep -x postgres; pgrep -x redis-server) | tr '\n' ' '); do taskset -a -p 2 "$p" >/dev/null 2>&1 || true; done
tmp=$(mktemp -d) pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  for p in $(pgrep -x postgres; pgrep -x redis-server); do taskset -a -pc "0-$(($(nproc --all) - 1))" "$p" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
# Node's flags as scripts/start.sh gives them, for the core each process is pinned to (V8's helpers follow the CPUs).
flags0=$(taskset -c 0 sh scripts/node-flags.sh) flags1=$(taskset -c 1 sh scripts/node-flags.sh)
PORT=$((base + 1)) taskset -c 1 node "$a/bench/mock-upstream.js" >/dev/null 2>&1 &
pids+=($!)
mock_pid=${pids[-1]}
# shellcheck disable=SC2086 # the flags are words
GATEWAY_ROLE=control CONTROL_PORT=0 DATA_DIR="$tmp/control" LOG_LEVEL=warn taskset -c 1 node $flags1 ${BENCH_AB_NODE_CONTROL:-} "$a/apps/main.js" >"$tmp/control.log" 2>&1 &
pids+=($!)
catalog="{\"providers\":[{\"id\":\"upstream\",\"kind\":\"openai-compatible\",\"base_url\":\"http://127.0.0.1:$((base + 1))/v1\",\"connections\":256}],\"models\":[{\"id\":\"abliterated-model\",\"aliases\":[],\"provider\":\"upstream\",\"upstream_model\":\"bench-model\"}]}"
control_pid=${pids[-1]}
replica() { # dist port [node flags]
  local count=()
  [ -n "${BENCH_AB_COUNT:-}" ] && count=(-r "$(realpath "$1")/bench/runtime-counts.js")
  # shellcheck disable=SC2086 # the flags are words
  GW_COUNTS_FILE="$tmp/counts-$2.json" GATEWAY_ROLE=inference CATALOG_JSON="$catalog" HOST=127.0.0.1 INFERENCE_PORT=$2 CONTROL_PORT=0 DATA_DIR="$tmp/$2" LOG_LEVEL=warn \
    RATE_LIMIT_KEY=1000000000 taskset -c 0 node $flags0 "${count[@]}" ${3:-} "$1/apps/main.js" >"$tmp/$2.log" 2>&1 &
  pids+=($!)
}
port_a=$((base + 2)) port_b=$((base + 3))
replica "$a" $port_a
pid_a=${pids[-1]}
replica "$b" $port_b "${BENCH_AB_NODE_B:-}"
pid_b=${pids[-1]}
for port in $port_a $port_b; do
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.3; done
  curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null || { echo "[ab] replica on $port did not start:" >&2; tail -5 "$tmp/$port.log" >&2; exit 1; }
done
body='{"model":"abliterated-model","messages":[{"role":"user","content":"Say hello in one short sentence."}],"max_tokens":64}'
load() { # port rate(0: closed loop) seconds → "requests non2xx errors p50 p99"
  local r=()
  [ "$2" -gt 0 ] && r=(-R "$2")
  taskset -c 1 node node_modules/autocannon/autocannon.js -c "$conns" -d "$3" "${r[@]}" -m POST -b "$body" -H "content-type=application/json" \
    -H "authorization=Bearer $key" -j "http://127.0.0.1:$1/policy/v1/chat/completions" 2>/dev/null |
    node -pe 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); [r.requests.total, r.non2xx, r.errors, r.latency.p50, r.latency.p99].join(" ")'
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Own and reaped children's time, so a Postgres backend that exits between two samples still counts (via the postmaster).
group_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
# Commands Redis executed so far, the scripts' inner calls included (INFO commandstats; the whole server).
redis_commands() { redis-cli info commandstats | tr -d '\r' | awk -F'[=,]' '{s += $2} END {print s + 0}'; }
tenants() { # → "control postgres redis mock" CPU ticks (Postgres: every backend, so the admission pool's too), Redis commands
  echo "$(cpu_ticks $control_pid) $(group_ticks $(pgrep -x postgres)) $(group_ticks $(pgrep -x redis-server)) $(cpu_ticks $mock_pid) $(redis_commands)"
}
counts() { # pid port → the replica's running totals (bench/runtime-counts.ts), written on SIGUSR2
  local f="$tmp/counts-$2.json"
  rm -f "$f"
  kill -USR2 "$1"
  for _ in $(seq 1 50); do [ -s "$f" ] && break; sleep 0.02; done
  cat "$f"
}
per_call() { # totals-before totals-after → one line of per-call figures
  node -e 'const [a, b] = process.argv.slice(1).map((x) => JSON.parse(x)); const n = Math.max(1, b.requests - a.requests);
    const d = (k, s = 1) => ((b[k] - a[k]) * s / n).toFixed(1);
    console.log(`${n} calls; per call: promises ${d("promises")}, nextTicks ${d("ticks")}, timers ${d("timers")}, immediates ${d("immediates")}, other async ${d("otherAsync")}; GC µs: minor ${d("gcMinorMs", 1000)}, major ${d("gcMajorMs", 1000)} (${b.gcMinor - a.gcMinor} minor, ${b.gcMajor - a.gcMajor} major)`);' "$1" "$2"
}
tick=$(getconf CLK_TCK)
echo "[ab] A = $a, B = $b; warm-up: 2 × 8 s closed loop each (V8 optimises the hot path first)" >&2
for _ in 1 2; do load $port_a 0 8 >/dev/null; load $port_b 0 8 >/dev/null; done
echo "| round | A CPU µs/req | B CPU µs/req | B − A | A p50 / p99 ms | B p50 / p99 ms | A / B requests (non-2xx, errors) |"
echo "|---|---|---|---|---|---|---|"
cpus_a=() cpus_b=() wins=0
for r in $(seq 1 "$rounds"); do
  line=()
  for side in a b; do
    if [ $side = a ]; then port=$port_a pid=$pid_a; else port=$port_b pid=$pid_b; fi
    perf_pid=
    if [ -n "${BENCH_AB_PERF:-}" ]; then
      perf stat -e "$BENCH_AB_PERF" -p "$pid" -o "bench/out/ab-perf-$side-$r.txt" -- sleep "$secs" &
      perf_pid=$!
    fi
    [ -n "${BENCH_AB_COUNT:-}" ] && k0=$(counts "$pid" "$port")
    c0=$(cpu_ticks "$pid")
    [ -n "${BENCH_AB_TENANTS:-}" ] && read -r t0c t0p t0r t0m t0k < <(tenants)
    read -r n non2xx errors p50 p99 < <(load $port "$rate" "$secs")
    c1=$(cpu_ticks "$pid")
    [ -n "${BENCH_AB_COUNT:-}" ] && echo "[ab] round $r $side: $(per_call "$k0" "$(counts "$pid" "$port")")" >&2
    if [ -n "${BENCH_AB_TENANTS:-}" ]; then
      read -r t1c t1p t1r t1m t1k < <(tenants)
      per() { echo $(( ($1 - $2) * 1000000 / tick / (n > 0 ? n : 1) )); }
      echo "[ab] round $r $side: load core µs/req: control $(per $t1c $t0c), postgres $(per $t1p $t0p), redis $(per $t1r $t0r), mock $(per $t1m $t0m); Redis commands per request $(awk -v a="$t0k" -v b="$t1k" -v n="$n" 'BEGIN {printf "%.1f", (b - a) / (n > 0 ? n : 1)}')" >&2
    fi
    [ -n "$perf_pid" ] && wait "$perf_pid"
    us=$(( (c1 - c0) * 1000000 / tick / (n > 0 ? n : 1) ))
    if [ $side = a ]; then cpus_a+=("$us"); else cpus_b+=("$us"); fi
    line+=("$us" "$p50 / $p99" "$n ($non2xx, $errors)")
  done
  [ "${line[3]}" -lt "${line[0]}" ] && wins=$((wins + 1))
  echo "| $r | ${line[0]} | ${line[3]} | $(( line[3] - line[0] )) | ${line[1]} | ${line[4]} | ${line[2]} / ${line[5]} |"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo
echo "median CPU µs/request: A $(median "${cpus_a[@]}"), B $(median "${cpus_b[@]}"); B used less in $wins of $rounds rounds" \
  "(windows of one build differed by up to 2× on this VM: read many rounds, not one)"
if [ -n "${BENCH_AB_SITES:-}" ]; then
  echo
  echo "B's promises by site, per call (one in $BENCH_AB_SITES sampled; innermost frame ← first gateway frame):"
  counts "$pid_b" "$port_b" | node -e 'const t = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const [site, n] of t.sites ?? []) console.log(`${(n / Math.max(1, t.requests)).toFixed(2).padStart(7)}  ${site}`);'
fi
