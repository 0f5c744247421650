/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. the gateway under `BENCH_GATEWAY_CMD="node --cpu-prof
 * --cpu-prof-dir=DIR dist/apps/main.js"`): the top self-time frames and the self time per package, as the issue 12
 * closing note reports them. Only samples of the last `--window=S` seconds before the profile ended count (default:
 * all), so start-up is left out of a profile taken over a load run; idle time is reported, not ranked.
 * Usage: node dist/bench/profile-top.js <file.cpuprofile> [--top=10] [--window=S]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function frameName(cf: CallFrame): string {
  const where = cf.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'npm:').replace(/.*\/dist[^/]*\//, '');
  return `${cf.functionName || '(anonymous)'} ${where ? `${where}:${cf.lineNumber + 1}` : ''}`.trim();
}

function packageOf(cf: CallFrame): string {
  const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(cf.url);
  if (npm) return npm[1];
  if (cf.url.startsWith('node:')) return 'node (core)';
  const own = /\/dist[^/]*\/((?:apps|libs)\/[^/]+)/.exec(cf.url);
  if (own) return `gateway ${own[1]}`;
  return cf.url ? 'other' : cf.functionName || '(native)';
}

function main(): void {
  const [file, ...args] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-top <file.cpuprofile> [--top=10] [--window=S]');
  const opt = (k: string) => args.find((a) => a.startsWith(`--${k}=`))?.split('=')[1];
  const top = Number(opt('top') ?? 10);
  const windowUs = Number(opt('window') ?? 0) * 1e6;
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const end = p.timeDeltas.reduce((a, b) => a + b, 0);
  const self = new Map<string, number>();
  const pkgs = new Map<string, number>();
  let t = 0;
  let busy = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (windowUs && t < end - windowUs) continue;
    const cf = byId.get(p.samples[i])!.callFrame;
    const us = p.timeDeltas[i] ?? 0;
    if (IDLE.has(cf.functionName) && cf.functionName !== '(garbage collector)') {
      idle += us;
      continue;
    }
    busy += us;
    const name = frameName(cf);
    self.set(name, (self.get(name) ?? 0) + us);
    const pkg = packageOf(cf);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1)} %`;
  const out: string[] = [`busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`, '', '| Self time | Share | Frame |', '|---|---|---|'];
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`| ${(us / 1000).toFixed(1)} ms | ${pct(us)} | \`${name}\` |`);
  out.push('', '| Package | Self time | Share |', '|---|---|---|');
  for (const [pkg, us] of [...pkgs].sort((a, b) => b[1] - a[1]).slice(0, top)) out.push(`| ${pkg} | ${(us / 1000).toFixed(1)} ms | ${pct(us)} |`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
