/** CPU accounting from /proc (performance.md §6.1): process utime+stime and per-core busy time. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clkTck: number | undefined;
function ticksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** utime+stime of `pid` in µs (children not included), or NaN when /proc is unavailable. */
export function processCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the `(comm)` that may contain spaces: state is field 3, utime 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / ticksPerSecond();
  } catch {
    return NaN;
  }
}

export interface CoreSample {
  busy: number;
  total: number;
}

/** Jiffies of one core from /proc/stat (busy = total − idle − iowait). */
export function coreSample(cpu: number): CoreSample | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`cpu${cpu} `));
    if (!line) return undefined;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - v[3] - v[4], total };
  } catch {
    return undefined;
  }
}

/** Busy fraction of a core between two samples (NaN when unknown). */
export function busyFraction(a: CoreSample | undefined, b: CoreSample | undefined): number {
  if (!a || !b || b.total === a.total) return NaN;
  return (b.busy - a.busy) / (b.total - a.total);
}

/** VmRSS of `pid` in MB, or NaN. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Waits until the processes together use less than `threshold` of one core over a 500 ms window (e.g. a gateway
 * still draining audit work after a load window), at most `maxMs`. Returns the time waited in ms.
 */
export async function waitIdle(pids: number[], maxMs: number, threshold = 0.05): Promise<number> {
  const t0 = Date.now();
  const total = (): number => pids.reduce((sum, pid) => sum + (processCpuMicros(pid) || 0), 0);
  let before = total();
  while (Date.now() - t0 < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = total();
    if (now - before < threshold * 500_000) break;
    before = now;
  }
  return Date.now() - t0;
}
