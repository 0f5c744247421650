/**
 * A preload (`NODE_OPTIONS="-r $PWD/dist/bench/socket-timeline.js"` with `GW_TIMELINE_DIR=<dir>`) that stamps, per
 * HTTP request, the first reads and writes of each socket the process touches while the request is the latest one
 * (by peer: `client`, `redis`, `pg`, `mock`, else the port), with the process's CPU time at each stamp. It acts only
 * in an inference replica (`apps/main.js`, not `GATEWAY_ROLE=control`) and in the thin proxy, and only makes sense at
 * c=1, where the latest request is the only one. On SIGTERM it writes `timeline-<pid>.txt` (per stamp: p50 and p90
 * ms after the `request` event, p50 CPU ms) and `timeline-<pid>.json` (the raw stamps) for the last
 * `GW_TIMELINE_LAST` requests (default 200). The eighteenth session read S1 and S5 at c=1 with it
 * (docs/architecture.md, "Cold calls"): `NODE_OPTIONS=... GW_TIMELINE_DIR=/tmp/tl bash bench/production.sh --only=s5
 * --stream-conc=0 --stream-types=thin,gateway-chat`. The hooks cost a few µs per socket operation on both sides.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';

type Stamp = [label: string, ms: number, cpuMs: number];
interface Call {
  t0: number;
  cpu0: number;
  url: string | undefined;
  stamps: Stamp[];
  seen: Map<string, number>;
}

const PEERS: Record<number, string> = { 47101: 'mock', 6379: 'redis', 5432: 'pg' };
const PER_LABEL = 4;
const dir = process.env.GW_TIMELINE_DIR;
const script = process.argv[1] ?? '';
const active = !!dir && ((script.endsWith('apps/main.js') && process.env.GATEWAY_ROLE !== 'control') || script.endsWith('thin-proxy.js'));

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const calls: Call[] = [];
let current: Call | undefined;

function stamp(what: string, socket: Socket): void {
  if (!current) return;
  const peer = (socket as Socket & { server?: unknown }).server ? 'client' : (PEERS[socket.remotePort ?? 0] ?? `port${socket.remotePort}`);
  const label = `${what}:${peer}`;
  const n = (current.seen.get(label) ?? 0) + 1;
  current.seen.set(label, n);
  if (n <= PER_LABEL) current.stamps.push([`${label}#${n}`, nowMs() - current.t0, cpuMs() - current.cpu0]);
}

function install(): void {
  const emit = Server.prototype.emit as (this: Server, event: string, ...args: unknown[]) => boolean;
  Server.prototype.emit = function (this: Server, event: string, ...args: unknown[]) {
    if (event === 'request') {
      const [req, res] = args as [IncomingMessage, ServerResponse];
      const call: Call = { t0: nowMs(), cpu0: cpuMs(), url: req.url, stamps: [], seen: new Map() };
      calls.push(call);
      if (calls.length > 10_000) calls.splice(0, 5_000);
      current = call;
      res.on('finish', () => call.stamps.push(['finish', nowMs() - call.t0, cpuMs() - call.cpu0]));
    }
    return emit.call(this, event, ...args);
  } as typeof Server.prototype.emit;
  const push = Readable.prototype.push;
  Readable.prototype.push = function (this: Readable, chunk: unknown, encoding?: BufferEncoding) {
    if (chunk && this instanceof Socket) stamp('in', this);
    return push.call(this, chunk, encoding);
  };
  // Every socket write (corked or not) goes through `_writeGeneric`.
  const proto = Socket.prototype as unknown as { _writeGeneric: (...a: unknown[]) => unknown };
  const write = proto._writeGeneric;
  proto._writeGeneric = function (this: Socket, ...a: unknown[]) {
    stamp('out', this);
    return write.apply(this, a);
  };
  process.once('SIGTERM', dump);
}

const pct = (xs: number[], q: number): number => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

function dump(): void {
  try {
    const last = calls.slice(-Number(process.env.GW_TIMELINE_LAST ?? 200));
    const by = new Map<string, Array<[number, number]>>();
    for (const c of last) for (const [label, ms, cpu] of c.stamps) by.set(label, [...(by.get(label) ?? []), [ms, cpu]]);
    const rows = [...by].map(([label, v]) => ({ label, n: v.length, p50: pct(v.map((x) => x[0]), 0.5), p90: pct(v.map((x) => x[0]), 0.9), cpu: pct(v.map((x) => x[1]), 0.5) }));
    rows.sort((a, b) => a.p50 - b.p50);
    const lines = rows.map((r) => `${r.p50.toFixed(3).padStart(9)} p90 ${r.p90.toFixed(3).padStart(9)} cpu ${r.cpu.toFixed(3).padStart(8)}  ${r.label} (${r.n})`);
    mkdirSync(dir!, { recursive: true });
    writeFileSync(join(dir!, `timeline-${process.pid}.txt`), `${script}: ms after the request event, ${last.length} requests\n${lines.join('\n')}\n`);
    writeFileSync(join(dir!, `timeline-${process.pid}.json`), JSON.stringify(last.map(({ t0, url, stamps }) => ({ t0, url, stamps }))));
  } catch (err) {
    process.stderr.write(`socket-timeline: ${(err as Error).message}\n`);
  }
  // A process with no SIGTERM handler of its own (the thin proxy) ends as it would have without this one.
  if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
}

if (active) install();
