/** Bench options from argv and env (the harness, unlike the gateway, reads env directly). */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { hasTaskset } from './children';
import { hasWrk, type LoadTool } from './load-tools';
import { STREAM_TYPES } from '../scenarios/s5-summary';

export type TargetName = 'direct' | 'thin' | 'gateway';

export interface Target {
  name: TargetName;
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** The process whose CPU is charged to this target (direct: the mock). */
  pid: number;
  /** Helper processes of the target (e.g. the gateway's embedded Postgres), moved to the load core. */
  helperPids: number[];
  /** The spawned process whose descendants are helpers (the gateway only). */
  rootPid?: number;
  /** Put before the other protocols' paths (S5), as before `path` (BENCH_GATEWAY_PREFIX; the gateway only). */
  prefix?: string;
  /**
   * Headers of S5's inline-policy stream type (BENCH_POLICY_HEADERS over `headers`; the gateway only): a project key
   * whose project links a policy is refused an inline one, so bench/production.sh's full mode sends the org's key there.
   */
  policyHeaders?: Record<string, string>;
}

export interface BenchOptions {
  quick: boolean;
  root: string;
  outDir: string;
  pin: boolean;
  ports: { mock: number; thin: number; inference: number; control: number };
  model: string;
  /** The mock's answer delay (`--mock-delay=MS`, default 0: the zero-delay upstream the goals are set against). */
  mockDelayMs: number;
  /** Set by bench/production.sh (BENCH_SERVICE_DELAY_MS): the gateway reaches Postgres and Redis with this delay each way. */
  serviceDelayMs: number;
  gateway: {
    enabled: boolean;
    skipReason?: string;
    cmd: string[];
    env: Record<string, string>;
    headers: Record<string, string>;
    /** BENCH_POLICY_HEADERS: what S5's inline-policy type sends instead of `headers` (empty: the same). */
    policyHeaders: Record<string, string>;
    path: string;
    /** Put before every gateway path (`/policy`: the policy surface, where a project's policy and quotas apply). */
    prefix: string;
    readyMs: number;
  };
  /** `warmupLoad`: requests per target at 8 connections before the rounds, so JIT-compiled code is measured, not the interpreter. */
  s1: { warmupLoad: number; warmupRounds: number; rounds: number; perRound: number };
  s3: { tool: LoadTool; conns: number[]; durationS: number; warmupS: number };
  /** Scenarios to run (`--only=`); all by default. */
  only: Set<Scenario>;
  /** `concurrentIvMs`: the concurrent step's interval, long enough for a stream (64 of them) to outlast the ramp. */
  /** S6 stream memory: `streams` concurrent streams of 64 deltas every `ivMs`, started at `rampPerS`. */
  s6: { streams: number; rampPerS: number; ivMs: number; afterCloseS: number; stepGapS: number };
  s5: { streams: number; warmup: number; ivMs: number; chunks: number; concurrency: number[]; rampMs: number; concurrentIvMs: number; types?: Set<string> };
  /** S8 soak (only with `--only=…s8`): `ceiling` (RPS) skips measuring it; the load is half of it. */
  s8: { durationS: number; warmupS: number; ceiling?: number };
  /**
   * S4 feature-cost ladder (only with `--only=…s4`): in-process stages (`iterations` timed calls per stage after
   * `warmup`, spread over `rounds`; `reserveIterations` database round trips per reservation function), then
   * HTTP rungs at c=1 (`http*`, as S1) and CPU µs/request at c=`cpuConns` for `cpuDurationS` per rung.
   */
  s4: {
    warmup: number;
    iterations: number;
    rounds: number;
    reserveIterations: number;
    httpWarmupRounds: number;
    httpRounds: number;
    httpPerRound: number;
    cpuConns: number;
    cpuDurationS: number;
    variants: boolean;
  };
}

export type Scenario = 's1' | 's3' | 's4' | 's5' | 's6' | 's8';
/** The default run; S4 (extra gateway processes) and S8 (a 10-minute soak) run only when `--only` names them. */
const SCENARIOS: Scenario[] = ['s1', 's3', 's5'];
const ALL_SCENARIOS: Scenario[] = [...SCENARIOS, 's4', 's6', 's8'];

export const USAGE = `node dist/bench/run.js [--quick] [--only=s1,s3,s5,s6] [--no-gateway] [--no-pin] [--streams=N] [--stream-conc=100,250,500|0] [--stream-chunks=64] [--stream-types=direct,thin,gateway-chat,...]
       [--conns=16,64] [--duration=S] [--mock-delay=MS] [--load=wrk|autocannon] [--soak-duration=S] [--ceiling=RPS] [--s4-iterations=N] [--no-s4-variants]
       node dist/bench/run.js fuzz --help   (the fuzz mode, bench/fuzz.ts)
env: BENCH_PORT_BASE (47100: mock +1, thin +2, gateway inference +3, control +4)
     BENCH_GATEWAY_CMD (node with the flags of scripts/node-flags.sh, run under the gateway's pinning, and <this build's dist dir>/apps/main.js), BENCH_GATEWAY_ENV (JSON, extra env),
     BENCH_GATEWAY_HEADERS (JSON, e.g. {"authorization":"Bearer ak_..."}), BENCH_GATEWAY_PATH (/v1/chat/completions), BENCH_GATEWAY_PREFIX (""; /policy: every gateway path on the policy surface),
     BENCH_POLICY_HEADERS (JSON; S5's inline-policy type only, over BENCH_GATEWAY_HEADERS),
     BENCH_GATEWAY_READY_MS (120000), BENCH_MODEL (abliterated-model), BENCH_SERVICE_DELAY_MS (0; set by bench/production.sh)`;

function json(name: string): Record<string, string> {
  const raw = process.env[name];
  if (!raw) return {};
  try {
    return JSON.parse(raw) as Record<string, string>;
  } catch {
    throw new Error(`${name} must be a JSON object`);
  }
}

/** `root`: the repository; `distDir`: the build the harness runs from, whose gateway is started by default. */
export function parseOptions(argv: string[], root: string, distDir: string): BenchOptions {
  const flag = (f: string): boolean => argv.includes(f);
  const value = (f: string): string | undefined => argv.find((a) => a.startsWith(`${f}=`))?.slice(f.length + 1);
  const known = ['--quick', '--only', '--no-gateway', '--no-pin', '--streams', '--stream-conc', '--stream-chunks', '--stream-types', '--conns', '--duration', '--mock-delay', '--load', '--help', '--soak-duration', '--ceiling', '--s4-iterations', '--no-s4-variants'];
  const unknown = argv.filter((a) => !known.includes(a.split('=')[0]));
  if (unknown.length > 0) throw new Error(`unknown argument(s) ${unknown.join(' ')}\n${USAGE}`);
  const quick = flag('--quick');
  const base = Number(process.env.BENCH_PORT_BASE ?? 47100);
  const customCmd = process.env.BENCH_GATEWAY_CMD;
  // The gateway of the same build as the harness (dist/ or a private build dir), so both come from one tree.
  const main = join(distDir, 'apps/main.js');
  // The node flags of scripts/start.sh and the Dockerfile (scripts/node-flags.sh), worked out by the shell the gateway
  // is spawned through, so under its pinning (taskset): V8's helper threads follow the CPUs the gateway may use.
  const flagsScript = join(root, 'scripts/node-flags.sh');
  const cmd = customCmd ? customCmd.split(/\s+/).filter(Boolean) : ['sh', '-c', `exec "${process.execPath}" $(sh "${flagsScript}") "${main}"`];
  let skipReason: string | undefined;
  if (flag('--no-gateway')) skipReason = 'skipped (--no-gateway)';
  else if (!customCmd && !existsSync(main)) skipReason = `skipped: ${main} does not exist yet (build the gateway, or set BENCH_GATEWAY_CMD)`;
  const only = new Set((value('--only') ?? SCENARIOS.join(',')).split(',').map((x) => x.trim().toLowerCase()));
  const bad = [...only].filter((x) => !ALL_SCENARIOS.includes(x as Scenario));
  if (bad.length > 0) throw new Error(`--only: unknown scenario(s) ${bad.join(',')} (known: ${ALL_SCENARIOS.join(',')})`);
  const list = (v: string): number[] => v.split(',').map(Number).filter((x) => x > 0);
  const pin = !flag('--no-pin') && availableParallelism() >= 2 && hasTaskset();
  const duration = Number(value('--duration') ?? (quick ? 3 : 20));
  if (!Number.isInteger(Number(value('--stream-chunks') ?? 64)) || Number(value('--stream-chunks') ?? 64) < 1) throw new Error(`--stream-chunks must be a whole number >= 1\n${USAGE}`);
  const types = value('--stream-types')?.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const badTypes = (types ?? []).filter((x) => !(STREAM_TYPES as readonly string[]).includes(x));
  if (badTypes.length > 0) throw new Error(`--stream-types: unknown type(s) ${badTypes.join(',')} (known: ${STREAM_TYPES.join(',')})\n${USAGE}`);
  if (!(Number(value('--mock-delay') ?? 0) >= 0)) throw new Error(`--mock-delay must be a number of ms >= 0\n${USAGE}`);
  return {
    quick,
    root,
    outDir: join(root, 'bench/out'),
    pin,
    ports: { mock: base + 1, thin: base + 2, inference: base + 3, control: base + 4 },
    model: process.env.BENCH_MODEL ?? 'abliterated-model',
    mockDelayMs: Number(value('--mock-delay') ?? 0),
    serviceDelayMs: Number(process.env.BENCH_SERVICE_DELAY_MS ?? 0) || 0,
    gateway: {
      enabled: skipReason === undefined,
      skipReason,
      cmd,
      env: json('BENCH_GATEWAY_ENV'),
      headers: json('BENCH_GATEWAY_HEADERS'),
      policyHeaders: json('BENCH_POLICY_HEADERS'),
      path: `${process.env.BENCH_GATEWAY_PREFIX ?? ''}${process.env.BENCH_GATEWAY_PATH ?? '/v1/chat/completions'}`,
      prefix: process.env.BENCH_GATEWAY_PREFIX ?? '',
      readyMs: Number(process.env.BENCH_GATEWAY_READY_MS ?? 120_000),
    },
    s1: quick ? { warmupLoad: 3000, warmupRounds: 5, rounds: 20, perRound: 20 } : { warmupLoad: 5000, warmupRounds: 10, rounds: 40, perRound: 50 },
    s3: {
      tool: loadTool(value('--load')),
      conns: list(value('--conns') ?? '16,64'),
      durationS: duration,
      warmupS: quick ? 3 : 5, // 1 s left the first quick window cold: c=16 read 1,147 µs per call, 766 in a second c=16 window
    },
    only: only as Set<Scenario>,
    // 30-second streams (performance.md S6); --quick: 10-second ones, and 10 s instead of 60 s after close.
    // The second half of the streams starts stepGapS after the first half's ramp (the marginal figure, s6-memory.ts).
    s6: { streams: 1000, rampPerS: 200, ivMs: quick ? 160 : 470, afterCloseS: quick ? 10 : 60, stepGapS: quick ? 2 : 5 },
    s5: {
      streams: Number(value('--streams') ?? (quick ? 10 : 200)),
      warmup: quick ? 2 : 5,
      ivMs: quick ? 5 : 20,
      // Content deltas per stream: two runs with different counts separate the cost per stream from the cost per delta.
      chunks: Number(value('--stream-chunks') ?? 64),
      // `--stream-conc=0` skips the concurrent step.
      concurrency: list(value('--stream-conc') ?? (quick ? '50' : '100,250,500')),
      rampMs: quick ? 1_000 : 5_000,
      concurrentIvMs: quick ? 25 : 100,
      // `--stream-types=direct,thin,gateway-chat`: only those stream types (direct is kept: every "added" figure needs it).
      ...(types ? { types: new Set(['direct', ...types]) } : {}),
    },
    s8: { durationS: Number(value('--soak-duration') ?? 600), warmupS: Math.min(30, Number(value('--soak-duration') ?? 600) / 4), ceiling: value('--ceiling') === undefined ? undefined : Number(value('--ceiling')) },
    s4: {
      warmup: quick ? 500 : 2_000,
      iterations: Number(value('--s4-iterations') ?? (quick ? 3_000 : 20_000)),
      rounds: quick ? 5 : 10,
      reserveIterations: quick ? 300 : 5_000,
      ...(quick ? { httpWarmupRounds: 3, httpRounds: 10, httpPerRound: 20 } : { httpWarmupRounds: 10, httpRounds: 40, httpPerRound: 50 }),
      cpuConns: 8,
      cpuDurationS: Number(value('--duration') ?? (quick ? 3 : 10)),
      variants: !flag('--no-s4-variants'),
    },
  };
}

/** wrk when installed (lighter on the load core), else autocannon; `--load=` forces one. */
function loadTool(wanted: string | undefined): LoadTool {
  if (wanted === 'autocannon') return 'autocannon';
  if (wanted === 'wrk') {
    if (!hasWrk()) throw new Error('--load=wrk: wrk is not installed (apt-get install -y wrk)');
    return 'wrk';
  }
  if (wanted !== undefined) throw new Error(`--load must be wrk or autocannon`);
  return hasWrk() ? 'wrk' : 'autocannon';
}
