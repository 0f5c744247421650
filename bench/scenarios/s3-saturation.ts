/**
 * S3 saturation (performance.md §6.4) with wrk or autocannon as a separate process pinned to the load core:
 * closed loop at each connection count, zero-delay mock. Per window: RPS (2xx per second), errors, latency,
 * CPU µs per request of the target's own process (/proc utime+stime delta ÷ completed requests) and the load
 * core's busy fraction (> 85 % = rig-bound: the figure is not publishable).
 */
import { runLoad, type LoadTool } from '../lib/load-tools';
import type { BenchOptions, Target, TargetName } from '../lib/options';
import { busyFraction, coreSample, processCpuMicros } from '../lib/proc-stats';

export interface S3Window {
  target: TargetName;
  connections: number;
  tool: LoadTool;
  durationS: number;
  rps: number;
  completed: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number };
  cpuUsPerReq: number;
  /** CPU of the target's helper processes (embedded Postgres, ...) per request, during the window. */
  helperCpuUsPerReq: number;
  loadCoreBusy: number;
  rigBound: boolean;
  /** Busy fraction of the target's core not explained by the target process (other tenants of the box). */
  foreignOnTargetCore: number;
}

export async function runS3(
  targets: Target[],
  body: string,
  o: BenchOptions['s3'],
  cores: { load: number; target: number } | undefined,
): Promise<S3Window[]> {
  const loadCpu = cores?.load;
  const windows: S3Window[] = [];
  for (const t of targets) {
    await runLoad(o.tool, t, body, Math.max(...o.conns), o.warmupS, loadCpu);
    for (const c of o.conns) {
      // One more second at this window's own concurrency: pools, caches and the young generation settle at the load
      // measured (without it, a quick run's first c=16 window read 840 µs per call against 691 in a second one).
      await runLoad(o.tool, t, body, c, 1, loadCpu);
      const cpu0 = processCpuMicros(t.pid);
      const helpers0 = helperCpu(t);
      const load0 = cores && coreSample(cores.load);
      const target0 = cores && coreSample(cores.target);
      const r = await runLoad(o.tool, t, body, c, o.durationS, loadCpu);
      const busy = busyFraction(load0, cores && coreSample(cores.load));
      const targetBusy = busyFraction(target0, cores && coreSample(cores.target));
      const cpuUs = processCpuMicros(t.pid) - cpu0;
      const completed = r.ok + r.non2xx;
      windows.push({
        target: t.name,
        connections: c,
        tool: o.tool,
        durationS: r.durationS,
        rps: r.ok / r.durationS,
        completed,
        errors: r.errors + r.non2xx,
        latencyMs: r.latencyMs,
        cpuUsPerReq: completed > 0 ? cpuUs / completed : NaN,
        helperCpuUsPerReq: completed > 0 && t.helperPids.length > 0 ? (helperCpu(t) - helpers0) / completed : NaN,
        loadCoreBusy: busy,
        rigBound: busy > 0.85,
        // The direct target's process (the mock) lives on the load core, so this is only meaningful for the others.
        foreignOnTargetCore: t.name === 'direct' ? NaN : targetBusy - cpuUs / (r.durationS * 1e6),
      });
    }
  }
  return windows;
}

function helperCpu(t: Target): number {
  return t.helperPids.reduce((sum, pid) => sum + (processCpuMicros(pid) || 0), 0);
}
