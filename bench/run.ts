/**
 * Bench harness (docs: /work/shared/design/performance.md): spawns the mock upstream, the thin proxy floor and
 * the gateway as pinned child processes on fixed loopback ports, runs S1 (added latency, c=1), S3 (saturation)
 * and S5 (streaming TTFT and gaps, per stream type: chat, responses, messages), on request S4 (feature-cost ladder)
 * and S8 (soak), prints the markdown tables and
 * writes raw JSON to bench/out/.
 * Usage: node dist/bench/run.js [--quick] (see USAGE in lib/options.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { descendants, isListening, killAllNow, listenerPid, pinPid, spawnChild, stopAll, stopChild, waitReady, type Child } from './lib/children';
import { concurrentModel, gatewayEnv, memoryModel, upstreamConnections, waitAuthHeaders } from './lib/gateway';
import { parseOptions, USAGE, type BenchOptions, type Target } from './lib/options';
import { renderTable, type RunResults } from './lib/report';
import { waitIdle } from './lib/proc-stats';
import { withDeadline } from './lib/stats';
import { runS1 } from './scenarios/s1-latency';
import { runS3 } from './scenarios/s3-saturation';
import { runS5 } from './scenarios/s5-streaming';
import { renderS6, runS6, type S6Row } from './scenarios/s6-memory';
import { renderS8, runS8Step, type S8Result } from './scenarios/s8-soak';
import { runS4, type S4Result } from './scenarios/s4-ladder';
import { renderS4 } from './lib/report-s4';
import { S4_GATEWAY_ENV } from './lib/s4-rungs';
import { fuzzMain } from './fuzz';

const GATEWAY_CPU = 0;
const LOAD_CPU = 1;
const log = (msg: string): void => void process.stderr.write(`[bench] ${msg}\n`);

async function startChild(o: BenchOptions, name: string, cmd: string[], env: Record<string, string>, port: number, readyPath: string, opts: { cpu: number; readyMs: number; logFile?: string }): Promise<Child> {
  const child = spawnChild({ name, cmd, env, cpu: o.pin ? opts.cpu : undefined, cwd: o.root, logFile: opts.logFile });
  await waitReady(child, `http://127.0.0.1:${port}${readyPath}`, opts.readyMs);
  const owner = listenerPid(child.pid, port);
  if (owner === -1) throw new Error(`port ${port} answers, but not from ${name} (pid ${child.pid}) or its children`);
  if (owner !== undefined && owner !== child.pid) {
    log(`${name}: listener is pid ${owner} (a child of ${child.pid}); CPU is charged to it`);
    child.pid = owner;
  }
  return child;
}

/** One plain and one streaming request must succeed (2xx), else the target is dropped with a note. */
async function sanity(t: Target, plain: string, stream: string, notes: string[]): Promise<string | undefined> {
  for (const [kind, body] of [['plain', plain], ['stream', stream]] as const) {
    try {
      const res = await request(`${t.origin}${t.path}`, { method: 'POST', headers: t.headers, body, headersTimeout: 15_000, bodyTimeout: 15_000 });
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode > 299) return `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
      if (res.statusCode !== 200) notes.push(`${t.name} answers a ${kind} request with HTTP ${res.statusCode} instead of 200 (counted as success)`);
    } catch (err) {
      return String(err);
    }
  }
  return undefined;
}

let gatewayDataDir: string | undefined;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'fuzz') return fuzzMain(argv.slice(1));
  if (argv.includes('--help')) return void process.stdout.write(`${USAGE}\n`);
  const o = parseOptions(argv, resolve(__dirname, '../..'), resolve(__dirname, '..'));
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  mkdirSync(o.outDir, { recursive: true });
  const notes: string[] = [];
  const load = loadavg()[0];
  if (load > 1) notes.push(`the box was busy when the run started (load average ${load.toFixed(2)} on ${availableParallelism()} CPUs): figures are noisy`);

  const ports = [o.ports.mock, o.ports.thin, ...(o.gateway.enabled ? [o.ports.inference, o.ports.control] : [])];
  for (const port of ports) {
    if (await isListening(port)) throw new Error(`port ${port} is already listening: stop whatever owns it (or set BENCH_PORT_BASE)`);
  }
  if (o.pin) pinPid(process.pid, LOAD_CPU);
  else notes.push(`not pinned (${availableParallelism()} CPUs; taskset missing, one CPU, or --no-pin): figures are indicative only`);
  log(`${o.quick ? 'quick' : 'full'} run; pinning ${o.pin ? `gateway+thin → CPU${GATEWAY_CPU}, mock+load+harness → CPU${LOAD_CPU}` : 'off'}`);

  const mockOrigin = `http://127.0.0.1:${o.ports.mock}`;
  if (o.mockDelayMs > 0) notes.push(`the mock answers after ${o.mockDelayMs} ms (--mock-delay): the goals are set against a zero-delay mock`);
  if (o.serviceDelayMs > 0) notes.push(`the gateway reaches Postgres and Redis with +${o.serviceDelayMs} ms each way (BENCH_SERVICE_DELAY_MS)`);
  const mockEnv = { PORT: String(o.ports.mock), DELAY_MS: String(o.mockDelayMs), IV_MS: String(o.s5.ivMs), CHUNKS: String(o.s5.chunks) };
  const mock = await startChild(o, 'mock', [process.execPath, join(__dirname, 'mock-upstream.js')], mockEnv, o.ports.mock, '/', { cpu: LOAD_CPU, readyMs: 10_000 });
  const thinEnv = { PORT: String(o.ports.thin), UPSTREAM: mockOrigin, CONNECTIONS: String(upstreamConnections(o)) };
  const thin = await startChild(o, 'thin', [process.execPath, join(__dirname, 'thin-proxy.js')], thinEnv, o.ports.thin, '/health/ready', { cpu: GATEWAY_CPU, readyMs: 10_000 });
  const json = { 'content-type': 'application/json' };
  const targets: Target[] = [
    { name: 'direct', origin: mockOrigin, path: '/v1/chat/completions', headers: json, pid: mock.pid, helperPids: [] },
    { name: 'thin', origin: `http://127.0.0.1:${o.ports.thin}`, path: '/v1/chat/completions', headers: json, pid: thin.pid, helperPids: [] },
  ];

  if (o.gateway.enabled) {
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
    tempDirs.push(dataDir);
    gatewayDataDir = dataDir;
    const env = { ...(o.only.has('s4') ? S4_GATEWAY_ENV : {}), ...gatewayEnv(o, mockOrigin, dataDir) };
    const logFile = join(o.outDir, `gateway-${stamp}.log`);
    log(`starting gateway: ${o.gateway.cmd.join(' ')} (log ${logFile})`);
    try {
      const gw = await startChild(o, 'gateway', o.gateway.cmd, env, o.ports.inference, '/health/ready', { cpu: GATEWAY_CPU, readyMs: o.gateway.readyMs, logFile });
      const origin = `http://127.0.0.1:${o.ports.inference}`;
      const auth = await waitAuthHeaders(o, env.DATA_DIR, 10_000);
      if (auth === undefined) notes.push('no gateway credential: BENCH_GATEWAY_HEADERS has none and DATA_DIR/bootstrap.json did not appear');
      const headers = { ...json, ...o.gateway.headers, ...auth };
      const policyHeaders = { ...headers, ...o.gateway.policyHeaders };
      targets.push({ name: 'gateway', origin, path: o.gateway.path, prefix: o.gateway.prefix, headers, policyHeaders, pid: gw.pid, helperPids: [], rootPid: gw.proc.pid! });
    } catch (err) {
      notes.push(`gateway column skipped: it did not start (${String(err).split('\n')[0]}; see ${logFile})`);
    }
  } else {
    notes.push(`gateway column ${o.gateway.skipReason}`);
  }

  const plain = JSON.stringify({ model: o.model, messages: [{ role: 'user', content: 'Say hello in one short sentence.' }], max_tokens: 64 });
  const stream = JSON.stringify({ model: o.model, messages: [{ role: 'user', content: 'Count slowly.' }], stream: true, stream_options: { include_usage: true } });
  for (const t of [...targets]) {
    const problem = await sanity(t, plain, stream, notes);
    if (problem === undefined) continue;
    if (t.name === 'direct') throw new Error(`the mock does not answer: ${problem}`);
    notes.push(`${t.name} column skipped: sanity request failed: ${problem}`);
    targets.splice(targets.indexOf(t), 1);
  }
  log(`targets: ${targets.map((t) => `${t.name} (pid ${t.pid})`).join(', ')}`);

  const results: RunResults = { targets: targets.map((t) => t.name), notes };
  /** Moves the targets' helper processes (the gateway's embedded Postgres...) to the load core and waits for quiet. */
  const settle = async (before: string): Promise<void> => {
    for (const t of targets) {
      if (t.rootPid === undefined) continue;
      t.helperPids = descendants(t.rootPid).filter((pid) => pid !== t.pid);
      if (o.pin) t.helperPids.forEach((pid) => pinPid(pid, LOAD_CPU));
    }
    const waited = await waitIdle(targets.flatMap((t) => [t.pid, ...t.helperPids]), o.quick ? 5_000 : 60_000);
    if (waited > 1_500) notes.push(`before ${before}: waited ${(waited / 1000).toFixed(1)} s for the targets to go idle (background work after the previous load)`);
  };
  if (o.only.has('s1')) {
    const s1Budget = ((o.s1.warmupRounds + o.s1.rounds) * o.s1.perRound + o.s1.warmupLoad / 4) * targets.length * 20 + 30_000;
    log(`S1: ${o.s1.rounds} rounds × ${o.s1.perRound} requests per target (+${o.s1.warmupLoad} warm-up requests at c=8, ${o.s1.warmupRounds} warm-up rounds)`);
    await settle('S1');
    results.s1 = await withDeadline(runS1(targets, plain, o.s1), s1Budget, 'S1');
  }
  if (o.only.has('s3')) await runS3Step(o, targets, plain, results, settle);
  let s4: S4Result | undefined;
  if (o.only.has('s4')) {
    await settle('S4');
    const s4Budget = 1_800_000 + (o.s4.httpWarmupRounds + o.s4.httpRounds) * o.s4.httpPerRound * 12 * 20 + 12 * (o.s4.cpuDurationS + 40) * 1000;
    const startVariant = (name: string, env: Record<string, string>, slot: number) => startVariantGateway(o, mockOrigin, stamp, name, env, slot);
    const cores = o.pin ? { load: LOAD_CPU, target: GATEWAY_CPU } : undefined;
    s4 = await withDeadline(runS4({ o, targets, dataDir: gatewayDataDir, startVariant, cores, log }), s4Budget, 'S4');
  }
  if (o.only.has('s5')) {
    const types = targets.length + (targets.some((t) => t.name === 'gateway') ? 2 : 0);
    const perStream = o.s5.chunks * o.s5.ivMs + 2_000;
    const concurrentMs = o.s5.concurrency.length * types * (o.s5.rampMs + o.s5.chunks * o.s5.concurrentIvMs + 30_000);
    const s5Budget = (1 + o.s5.warmup + o.s5.streams) * types * perStream + concurrentMs + 30_000;
    log(`S5: ${o.s5.streams} streams per stream type of ${o.s5.chunks} deltas every ${o.s5.ivMs} ms (+${o.s5.warmup} warm-up), then ${o.s5.concurrency.join(', ') || 'no'} concurrent (every ${o.s5.concurrentIvMs} ms)`);
    await settle('S5');
    const s5Settle = async (pids: number[]): Promise<void> => void (await waitIdle(pids, o.quick ? 3_000 : 15_000));
    const loadCpu = o.pin ? LOAD_CPU : undefined;
    results.s5 = await withDeadline(runS5(targets, o.s5, { model: o.model, concurrentModel: concurrentModel(o), loadCpu, settle: s5Settle }), s5Budget, 'S5');
    notes.push(...results.s5.notes);
  }

  let s6: S6Row[] | undefined;
  if (o.only.has('s6')) {
    log(`S6: ${o.s6.streams} concurrent streams per target, ${o.s6.rampPerS}/s in two halves ${o.s6.stepGapS} s apart, each 64 deltas every ${o.s6.ivMs} ms; RSS every 250 ms`);
    await settle('S6');
    s6 = await withDeadline(runS6(targets, o.s6, memoryModel(o)), 2 * (o.s6.streams / o.s6.rampPerS + o.s6.stepGapS + (64 * o.s6.ivMs) / 1000 + o.s6.afterCloseS + 60) * 1000, 'S6');
  }

  let s8: S8Result | undefined;
  if (o.only.has('s8')) {
    await settle('S8');
    s8 = await withDeadline(runS8Step(o, targets, plain, results.s3, gatewayDataDir, log), (o.s8.durationS + 120) * 1000, 'S8');
    if (!s8) notes.push('S8 skipped: no gateway target');
  }

  const table = renderTable(results);
  process.stdout.write(`\n${table}\n\n`);
  if (s4) process.stdout.write(`${renderS4(s4)}\n\n`);
  if (s6) process.stdout.write(`${renderS6(s6)}\n\n`);
  if (s8) process.stdout.write(`${renderS8(s8)}\n\n`);
  const file = join(o.outDir, `run-${stamp}.json`);
  const meta = { startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000, node: process.version, cpus: availableParallelism() };
  writeFileSync(file, JSON.stringify({ meta, options: { ...o, only: [...o.only] }, results, s4, s6, s8 }, null, 1));
  log(`raw results: ${file} (${meta.seconds.toFixed(1)} s)`);
}

async function runS3Step(o: BenchOptions, targets: Target[], plain: string, results: RunResults, settle: (before: string) => Promise<void>): Promise<void> {
  const notes = results.notes;
  const s3Budget = targets.length * (o.s3.warmupS + o.s3.conns.length * o.s3.durationS + 25 * (o.s3.conns.length + 1)) * 1000;
  log(`S3: ${o.s3.tool}, c=${o.s3.conns.join(',')} for ${o.s3.durationS} s each per target (+${o.s3.warmupS} s warm-up)`);
  await settle('S3');
  const cores = o.pin ? { load: LOAD_CPU, target: GATEWAY_CPU } : undefined;
  results.s3 = await withDeadline(runS3(targets, plain, o.s3, cores), s3Budget, 'S3');
  const shared = results.s3.filter((w) => w.foreignOnTargetCore > 0.15);
  if (shared.length > 0) {
    notes.push(`CPU${GATEWAY_CPU} was shared with other processes: ${shared.map((w) => `${w.target} c=${w.connections} ${Math.round(w.foreignOnTargetCore * 100)} %`).join(', ')} of the core not used by the target — RPS understated`);
  }
  const rig = results.s3.filter((w) => w.rigBound);
  if (rig.length > 0) {
    notes.push(`† rig-bound (load core > 85 % busy): ${rig.map((w) => `${w.target} c=${w.connections} ${Math.round(w.loadCoreBusy * 100)} %`).join(', ')} — not publishable RPS`);
  }
  for (const w of results.s3) {
    const d = results.s3.find((x) => x.target === 'direct' && x.connections === w.connections);
    if (w.target !== 'direct' && d && w.rps >= 0.9 * d.rps) notes.push(`${w.target} c=${w.connections} is within 10 % of the mock's own ceiling: mock-bound`);
  }
}

/**
 * An S4 variant: a gateway started like the main one (same build, env and topology: embedded with its own
 * DATA_DIR, or production.sh's shared stores) plus `extra`, on ports BENCH_PORT_BASE + 11 + 2·slot (+1 control).
 */
async function startVariantGateway(o: BenchOptions, mockOrigin: string, stamp: string, name: string, extra: Record<string, string>, slot: number): Promise<{ target: Target; stop: () => Promise<void> }> {
  const inference = o.ports.mock - 1 + 11 + 2 * slot;
  for (const port of [inference, inference + 1]) {
    if (await isListening(port)) throw new Error(`port ${port} is already listening`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), `gw-bench-${name}-`));
  tempDirs.push(dataDir);
  const env = { ...S4_GATEWAY_ENV, ...gatewayEnv(o, mockOrigin, dataDir), INFERENCE_PORT: String(inference), CONTROL_PORT: String(inference + 1), ...extra };
  const logFile = join(o.outDir, `gateway-${name}-${stamp}.log`);
  const gw = await startChild(o, `gateway ${name}`, o.gateway.cmd, env, inference, '/health/ready', { cpu: GATEWAY_CPU, readyMs: o.gateway.readyMs, logFile });
  const auth = await waitAuthHeaders(o, dataDir, 10_000);
  const headers = { 'content-type': 'application/json', ...o.gateway.headers, ...auth };
  const target: Target = { name: 'gateway', origin: `http://127.0.0.1:${inference}`, path: o.gateway.path, headers, pid: gw.pid, helperPids: [], rootPid: gw.proc.pid! };
  return { target, stop: () => stopChild(gw) };
}

const tempDirs: string[] = [];
async function cleanup(): Promise<void> {
  await stopAll();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

process.on('exit', killAllNow);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping children`);
    void cleanup().finally(() => process.exit(130));
  });
}
main().then(
  () => cleanup(),
  async (err: unknown) => {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    await cleanup();
    process.exitCode = 1;
  },
);
