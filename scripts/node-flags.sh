#!/bin/sh
# The gateway's default node flags (scripts/start.sh, the Dockerfile, bench/): printed on one line for NODE_OPTIONS.
# - A 64 MB young generation: requests make short-lived garbage, and the default 16 MB semi-space promotes some of it
#   and scavenges ~4x as often (issue 12: about -20 % CPU per call at c=64). It costs about +70 MB of RSS idle
#   (embedded: 321 → 393 MB) and +100 MB under load (S6); NODE_OPTIONS=--max-semi-space-size=16 gives that back.
# - V8's helper threads (concurrent marking, parallel scavenge, compilation) sized to the CPUs this process may use,
#   less the one the event loop needs: Node starts 4 whatever the CPUs, and on a gateway limited to one core (taskset,
#   a cpuset, a CPU quota) the 4 run beside the event loop and take most of the core from it during a marking phase.
#   Issue 12, embedded S5 at 500 streams on one core: event-loop stalls up to 77-177 ms with 4, 33-55 ms with 1.
# Counts the CPUs of the affinity mask (nproc, without the OpenMP variables it would otherwise obey), lowered by a
# cgroup v2 CPU quota if any (CGROUP_CPU_MAX names another file than /sys/fs/cgroup/cpu.max: for the tests).
cpus=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo 1)
cpu_max=${CGROUP_CPU_MAX:-/sys/fs/cgroup/cpu.max}
if [ -r "$cpu_max" ]; then
  read -r quota period < "$cpu_max" || true
  if [ "${quota:-max}" != max ] && [ "${period:-0}" -gt 0 ]; then
    limit=$(( (quota + period - 1) / period ))
    [ "$limit" -lt "$cpus" ] && cpus=$limit
  fi
fi
pool=$(( cpus - 1 ))
[ "$pool" -lt 1 ] && pool=1
[ "$pool" -gt 4 ] && pool=4
echo "--max-semi-space-size=64 --v8-pool-size=$pool"
