/**
 * Closed-loop load generators for S3, run as pinned child processes: wrk (C, lighter on the load core; used when
 * installed, performance.md §6.1) or autocannon (npm, always available). Both return the same summary.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnChild, stopChild } from './children';
import type { Target } from './options';
import { sleep } from './stats';

export type LoadTool = 'wrk' | 'autocannon';

export interface LoadResult {
  durationS: number;
  ok: number;
  non2xx: number;
  errors: number;
  latencyMs: { p50: number; p90: number; p99: number };
}

export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error === undefined;
}

const AUTOCANNON = join(dirname(require.resolve('autocannon/package.json')), 'autocannon.js');

async function run(name: string, cmd: string[], seconds: number, cpu: number | undefined): Promise<string> {
  const child = spawnChild({ name, cmd, cpu, capture: true });
  const exited = new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
  const inTime = await Promise.race([exited.then(() => true), sleep((seconds + 20) * 1000).then(() => false)]);
  if (!inTime) await stopChild(child, 1_000);
  if (child.stdout.trim() === '') throw new Error(`${name} produced no output (${child.tail.slice(-5).join(' | ')})`);
  return child.stdout;
}

export async function runLoad(tool: LoadTool, t: Target, body: string, c: number, seconds: number, cpu: number | undefined): Promise<LoadResult> {
  const url = `${t.origin}${t.path}`;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...t.headers };
  if (tool === 'autocannon') {
    const h = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
    const cmd = [process.execPath, AUTOCANNON, '-c', String(c), '-d', String(seconds), '-m', 'POST', '-b', body, ...h, '-t', '10', '-j', url];
    const out = await run(`autocannon ${t.name} c=${c}`, cmd, seconds, cpu);
    const line = out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
    if (!line) throw new Error(`autocannon produced no JSON: ${out.slice(0, 200)}`);
    const r = JSON.parse(line) as { duration: number; '2xx': number; non2xx: number; errors: number; timeouts: number; latency: LoadResult['latencyMs'] };
    return { durationS: r.duration, ok: r['2xx'], non2xx: r.non2xx, errors: r.errors + r.timeouts, latencyMs: r.latency };
  }
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-wrk-'));
  try {
    const script = join(dir, 'post.lua');
    const lines = ['wrk.method = "POST"', `wrk.body = [==[${body}]==]`, ...Object.entries(headers).map(([k, v]) => `wrk.headers["${k}"] = [==[${v}]==]`)];
    writeFileSync(script, `${lines.join('\n')}\n`);
    const out = await run(`wrk ${t.name} c=${c}`, ['wrk', '-t1', `-c${c}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', script, url], seconds, cpu);
    return parseWrk(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function parseWrk(out: string): LoadResult {
  const num = (re: RegExp): number => Number(re.exec(out)?.[1] ?? NaN);
  const dist = (p: number): number => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? Number(m[1]) * UNIT_MS[m[2]] : NaN;
  };
  const done = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(out);
  if (!done) throw new Error(`unexpected wrk output: ${out.slice(0, 300)}`);
  const total = Number(done[1]);
  const durationS = (Number(done[2]) * UNIT_MS[done[3]]) / 1000;
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const non2xx = Number.isNaN(num(/Non-2xx or 3xx responses: (\d+)/)) ? 0 : num(/Non-2xx or 3xx responses: (\d+)/);
  return { durationS, ok: total - non2xx, non2xx, errors, latencyMs: { p50: dist(50), p90: dist(90), p99: dist(99) } };
}
