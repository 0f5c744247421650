/**
 * S3 saturation (performance.md §6.4) with autocannon as a separate process pinned to the load core:
 * closed loop at each connection count, zero-delay mock. Per window: RPS (2xx per second), errors, latency,
 * CPU µs per request of the target's own process (/proc utime+stime delta ÷ completed requests) and the load
 * core's busy fraction (> 85 % = rig-bound: the figure is not publishable).
 */
import { dirname, join } from 'node:path';
import { spawnChild, stopChild } from '../lib/children';
import type { BenchOptions, Target, TargetName } from '../lib/options';
import { busyFraction, coreSample, processCpuMicros } from '../lib/proc-stats';
import { sleep } from '../lib/stats';

export interface S3Window {
  target: TargetName;
  connections: number;
  durationS: number;
  rps: number;
  completed: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number };
  cpuUsPerReq: number;
  loadCoreBusy: number;
  rigBound: boolean;
  /** Busy fraction of the target's core not explained by the target process (other tenants of the box). */
  foreignOnTargetCore: number;
}

interface AutocannonJson {
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p90: number; p99: number };
}

const AUTOCANNON = join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');

async function autocannon(t: Target, body: string, c: number, seconds: number, cpu: number | undefined): Promise<AutocannonJson> {
  const headers = Object.entries({ 'content-type': 'application/json', ...t.headers }).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  const child = spawnChild({
    name: `autocannon ${t.name} c=${c}`,
    cmd: [process.execPath, AUTOCANNON, '-c', String(c), '-d', String(seconds), '-m', 'POST', '-b', body, ...headers, '-t', '10', '-j', `${t.origin}${t.path}`],
    cpu,
    capture: true,
  });
  const exited = new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
  const inTime = await Promise.race([exited.then(() => true), sleep((seconds + 20) * 1000).then(() => false)]);
  if (!inTime) await stopChild(child, 1_000);
  const line = child.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`autocannon produced no JSON (${child.tail.slice(-5).join(' | ')})`);
  return JSON.parse(line) as AutocannonJson;
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
    await autocannon(t, body, Math.max(...o.conns), o.warmupS, loadCpu);
    for (const c of o.conns) {
      const cpu0 = processCpuMicros(t.pid);
      const load0 = cores && coreSample(cores.load);
      const target0 = cores && coreSample(cores.target);
      const r = await autocannon(t, body, c, o.durationS, loadCpu);
      const busy = busyFraction(load0, cores && coreSample(cores.load));
      const targetBusy = busyFraction(target0, cores && coreSample(cores.target));
      const cpuUs = processCpuMicros(t.pid) - cpu0;
      const completed = r['2xx'] + r.non2xx;
      windows.push({
        target: t.name,
        connections: c,
        durationS: r.duration,
        rps: r['2xx'] / r.duration,
        completed,
        errors: r.errors + r.timeouts + r.non2xx,
        latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99 },
        cpuUsPerReq: completed > 0 ? cpuUs / completed : NaN,
        loadCoreBusy: busy,
        rigBound: busy > 0.85,
        // The direct target's process (the mock) lives on the load core, so this is only meaningful for the others.
        foreignOnTargetCore: t.name === 'direct' ? NaN : targetBusy - cpuUs / (r.duration * 1e6),
      });
    }
  }
  return windows;
}
