/**
 * S4 feature-cost ladder (performance.md §6.4 S4, §6.5 "Feature cost"), in two parts of one run:
 * 1. in-process stage costs (µs per call, p50/p99): the gateway's own code for each piece of hot-path work,
 *    on small / 8 KB / 64 KB bodies where the body matters (lib/s4-stage-defs.ts), plus the credit
 *    reservation round trip v1 vs v2 on the gateway's database (lib/s4-reserve-stage.ts);
 * 2. HTTP rungs (lib/s4-rungs.ts): c=1 interleaved rounds as S1, then CPU µs/request at c=8 as S3, with
 *    variant gateway processes for the settings that can switch a feature off.
 */
import { loadavg } from 'node:os';
import { descendants, pinPid } from '../lib/children';
import type { BenchOptions, Target } from '../lib/options';
import { gatewayDatabaseUrl, loginToken } from '../lib/s4-credentials';
import { probeRung, runC1, runCpu, type Rung, type RungC1, type RungCpu } from '../lib/s4-http';
import { reserveStages } from '../lib/s4-reserve-stage';
import { benchProjectKeys } from '../lib/s4-projects';
import { quotaStages } from '../lib/s4-quota-stage';
import { buildRungs, NOT_SEPARABLE, VARIANTS } from '../lib/s4-rungs';
import { allStages } from '../lib/s4-stage-defs';
import { EMPTY_STAGE, timeStages, type StageRow } from '../lib/s4-timer';
import { waitIdle } from '../lib/proc-stats';

export interface S4RungResult {
  label: string;
  adds: string;
  reference?: string;
  floor?: string;
  pid: number;
  c1?: RungC1;
  cpu?: RungCpu;
}

export interface S4Result {
  stages: StageRow[];
  rungs: S4RungResult[];
  notSeparable: string[];
  notes: string[];
  loadavgStart: number[];
  loadavgEnd: number[];
}

export interface S4Context {
  o: BenchOptions;
  targets: Target[];
  /** The main gateway's DATA_DIR (embedded: its database and JWT secret are found there). */
  dataDir?: string;
  /** Starts a gateway like the main one with `env` added, on its own ports (slot 0, 1, ...). */
  startVariant: (name: string, env: Record<string, string>, slot: number) => Promise<{ target: Target; stop: () => Promise<void> }>;
  cores?: { load: number; target: number };
  log: (msg: string) => void;
}

export async function runS4(ctx: S4Context): Promise<S4Result> {
  const { o, log } = ctx;
  const s4 = o.s4;
  const notes: string[] = [];
  const loadavgStart = loadavg();
  log(`S4 part 1: in-process stages, ${s4.iterations} calls each after ${s4.warmup} warm-up`);
  const stages = await timeStages([EMPTY_STAGE, ...(await allStages(o.model, notes))], { warmup: s4.warmup, iterations: s4.iterations, rounds: s4.rounds });
  const gateway = ctx.targets.find((t) => t.name === 'gateway');
  const databaseUrl = gateway ? gatewayDatabaseUrl(o, ctx.dataDir) : undefined;
  if (databaseUrl) {
    log(`S4: credit reservation round trips, ${s4.reserveIterations} per function`);
    try {
      stages.push(...(await reserveStages(databaseUrl, s4.reserveIterations, Math.min(200, s4.reserveIterations))));
    } catch (err) {
      notes.push(`reservation round trip not measured: ${String(err).split('\n')[0]}`);
    }
  } else notes.push('reservation round trip not measured: no gateway database known');
  try {
    stages.push(...(await quotaStages(o.gateway.env.REDIS_URL, s4.reserveIterations, Math.min(200, s4.reserveIterations))));
  } catch (err) {
    notes.push(`quota round trip not measured: ${String(err).split('\n')[0]}`);
  }

  const stops: Array<() => Promise<void>> = [];
  try {
    const variants: Array<{ name: string; adds: string; target: Target }> = [];
    if (gateway && s4.variants) {
      log(`S4: starting variant gateways ${VARIANTS.map((v) => v.name).join(', ')}`);
      const started = await Promise.allSettled(VARIANTS.map((v, i) => ctx.startVariant(v.name, { ...v.env }, i)));
      started.forEach((s, i) => {
        if (s.status === 'fulfilled') {
          stops.push(s.value.stop);
          variants.push({ name: VARIANTS[i].name, adds: VARIANTS[i].adds, target: s.value.target });
        } else notes.push(`rung gateway ${VARIANTS[i].name} skipped: it did not start (${String(s.reason).split('\n')[0]})`);
      });
    } else if (gateway) notes.push('variant gateways not started (--no-s4-variants)');
    const jwt = gateway ? await loginToken(o, ctx.dataDir, databaseUrl).catch((err: unknown) => ({ token: undefined, reason: String(err) })) : {};
    if (gateway && !jwt.token) notes.push(`rung gateway jwt skipped: ${jwt.reason}`);
    const projects = gateway && databaseUrl ? await benchProjectKeys(databaseUrl).catch((err: unknown) => (notes.push(`project rungs skipped: ${String(err).split('\n')[0]}`), undefined)) : undefined;
    const all = buildRungs({
      direct: ctx.targets.find((t) => t.name === 'direct')!,
      thin: ctx.targets.find((t) => t.name === 'thin'),
      gateway,
      variants,
      model: o.model,
      jwt: jwt.token,
      projects,
    });
    const rungs: Rung[] = [];
    for (const r of all) {
      const problem = await probeRung(r);
      if (problem) notes.push(`rung ${r.label} skipped: probe failed: ${problem}`);
      else rungs.push(r);
    }
    // Helper processes (embedded Postgres of each gateway) go to the load core, as the harness does for S1/S3.
    const helpers = new Map<number, number[]>();
    for (const { target: t } of rungs) {
      if (t.rootPid !== undefined && !helpers.has(t.pid)) helpers.set(t.pid, descendants(t.rootPid).filter((pid) => pid !== t.pid));
      t.helperPids = helpers.get(t.pid) ?? t.helperPids;
    }
    if (ctx.cores) [...helpers.values()].flat().forEach((pid) => pinPid(pid, ctx.cores!.load));
    await waitIdle([...new Set(rungs.flatMap((r) => [r.target.pid, ...r.target.helperPids]))], o.quick ? 5_000 : 60_000);
    log(`S4 part 2: ${rungs.length} rungs at c=1, ${s4.httpRounds} rounds × ${s4.httpPerRound} (+${s4.httpWarmupRounds} warm-up rounds)`);
    const c1 = await runC1(rungs, { warmupRounds: s4.httpWarmupRounds, rounds: s4.httpRounds, perRound: s4.httpPerRound });
    log(`S4: CPU per request at c=${s4.cpuConns}, ${s4.cpuDurationS} s per rung (${o.s3.tool})`);
    const cpu = await runCpu(rungs, { tool: o.s3.tool, connections: s4.cpuConns, durationS: s4.cpuDurationS, warmupS: 1, cores: ctx.cores, idleMs: o.quick ? 3_000 : 15_000 });
    for (const r of rungs.filter((x) => !x.fixedHeaders)) notes.push(`rung ${r.label}: no c=${s4.cpuConns} CPU figure (needs different headers per request; wrk/autocannon send fixed ones)`);
    const rigBound = [...cpu].filter(([, w]) => w.loadCoreBusy > 0.85).map(([r]) => r.label);
    if (rigBound.length) notes.push(`† load core > 85 % busy during the c=${s4.cpuConns} window of: ${rigBound.join(', ')}`);
    const shared = [...cpu].filter(([, w]) => w.foreignOnTargetCore > 0.15).map(([r, w]) => `${r.label} ${Math.round(w.foreignOnTargetCore * 100)} %`);
    if (shared.length) notes.push(`target core shared with other processes during the c=${s4.cpuConns} window of: ${shared.join(', ')}`);
    return {
      stages,
      rungs: rungs.map((r) => ({ label: r.label, adds: r.adds, reference: r.reference, floor: r.floor, pid: r.target.pid, c1: c1.get(r), cpu: cpu.get(r) })),
      notSeparable: NOT_SEPARABLE,
      notes,
      loadavgStart,
      loadavgEnd: loadavg(),
    };
  } finally {
    await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
  }
}
