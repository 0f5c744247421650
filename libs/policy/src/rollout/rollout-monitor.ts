import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  bucketOf,
  countsAsHit,
  effectiveRollout,
  judgeWindow,
  SYSTEM_CLOCK,
  type AutoRollbackSpec,
  type Clock,
  type CompiledPolicy,
  type Decision,
  type PolicyRolloutState,
  type WindowJudgement,
} from '../engine';
import type { CounterBatch, CounterScope, RolloutCounters } from './rollout-counters';
import type { RolloutStateRepository } from './rollout-state.repository';

/** What the monitor writes through: {@link RolloutStateRepository} in the apps. */
export type RolloutTransitions = Pick<RolloutStateRepository, 'tripAuto' | 'expireDue'>;

export interface RolloutMonitorOptions {
  clock?: Clock;
  /** Buffered counts go to the counters this often (default 250 ms; 0: only on `flush()`). */
  flushEveryMs?: number;
  /** Rollbacks whose cooldown is over are ended this often (default 5 s; 0: only on `expire()`). */
  expireEveryMs?: number;
  /** `stop()` closes the counters too (the module that created them says so). */
  closeCounters?: boolean;
  logger?: Pick<Logger, 'warn'>;
}

interface Pending {
  scope: CounterScope;
  spec: AutoRollbackSpec;
  buckets: Map<number, { total: number; hits: number }>;
}

export interface FlushReport {
  /** Each flushed scope's window after the flush. */
  windows: Array<{ scope: CounterScope; window: WindowJudgement }>;
  /** Rollbacks this replica won. */
  tripped: PolicyRolloutState[];
}

const MAX_ATTEMPT_MEMO = 10_000;
const scopeKey = (s: CounterScope) => `${s.orgId}\u0000${s.policyId}\u0000${s.version}\u0000${s.epoch}`;

/**
 * Auto-rollback (spec §4.4). `record` runs on the request path: synchronous, it only adds to an in-memory buffer.
 * A timer flushes the buffer to the shared {@link RolloutCounters} (one round trip) and judges each counted
 * policy's window; a spike trips the rollback in Postgres, where one replica wins. Another timer ends rollbacks
 * whose cooldown is over. Only stored policies with auto-rollback on are counted, and none while rolled back.
 */
export class RolloutMonitor implements OnModuleInit, OnModuleDestroy {
  private pending = new Map<string, Pending>();
  private readonly attempted = new Set<string>();
  private readonly clock: Clock;
  private readonly logger: Pick<Logger, 'warn'>;
  private flushing: Promise<FlushReport> | null = null;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly counters: RolloutCounters,
    private readonly transitions: RolloutTransitions,
    private readonly opts: RolloutMonitorOptions = {},
  ) {
    this.clock = opts.clock ?? SYSTEM_CLOCK;
    this.logger = opts.logger ?? new Logger(RolloutMonitor.name);
  }

  /** Counts one evaluation's raw `decision` (before rollout) of `policy` in `state` (as the policy store answered it). */
  record(policy: CompiledPolicy, state: PolicyRolloutState, decision: Decision, nowMs = this.clock.now()): void {
    const spec = policy.model.rollout.autoRollback;
    if (!spec?.enabled || policy.version === null) return;
    if (effectiveRollout(state, nowMs).override !== null) return;
    const scope = { orgId: state.orgId, policyId: policy.policyId, version: policy.version, epoch: state.epoch };
    const key = scopeKey(scope);
    let p = this.pending.get(key);
    if (!p) this.pending.set(key, (p = { scope, spec, buckets: new Map() }));
    const bucket = bucketOf(nowMs, spec.windowMinutes);
    const c = p.buckets.get(bucket) ?? { total: 0, hits: 0 };
    c.total++;
    if (countsAsHit(spec, decision)) c.hits++;
    p.buckets.set(bucket, c);
  }

  /** Scopes waiting for the next flush (tests, metrics). */
  get pendingScopes(): number {
    return this.pending.size;
  }

  /** Sends what was recorded so far, after any flush in flight, and trips the rollbacks it calls for. */
  flush(): Promise<FlushReport> {
    const next = (this.flushing ?? Promise.resolve()).catch(() => undefined).then(() => this.flushOnce());
    this.flushing = next;
    return next.finally(() => {
      if (this.flushing === next) this.flushing = null;
    });
  }

  /** Ends the rollbacks whose cooldown is over at `nowMs` (the caller's clock by default). */
  expire(nowMs = this.clock.now()): Promise<PolicyRolloutState[]> {
    return this.transitions.expireDue(nowMs);
  }

  start(): void {
    if (this.timers.length > 0) return;
    const every = (ms: number | undefined, fallback: number, work: () => Promise<unknown>, what: string) => {
      const period = ms ?? fallback;
      if (period <= 0) return;
      let busy = false;
      const t = setInterval(() => {
        if (busy) return;
        busy = true;
        work()
          .catch((err: unknown) => this.warn(what, err))
          .finally(() => (busy = false));
      }, period);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.flushEveryMs, 250, () => (this.pending.size > 0 ? this.flush() : Promise.resolve()), 'flush');
    every(this.opts.expireEveryMs, 5_000, () => this.expire(), 'expiry');
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.flush().catch((err: unknown) => this.warn('flush', err));
    if (this.opts.closeCounters) await this.counters.close();
  }

  onModuleInit(): void {
    this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  private warn(what: string, err: unknown): void {
    this.logger.warn(`rollout ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }

  private async flushOnce(): Promise<FlushReport> {
    const batch = [...this.pending.values()];
    this.pending = new Map();
    if (batch.length === 0) return { windows: [], tripped: [] };
    const batches: CounterBatch[] = batch.map((p) => ({
      scope: p.scope,
      windowMinutes: p.spec.windowMinutes,
      increments: [...p.buckets].map(([bucket, c]) => ({ bucket, ...c })),
    }));
    // A failed round trip loses these counts: re-buffering them would grow without bound while Redis is down.
    const counts = await this.counters.addAndRead(batches);
    const report: FlushReport = { windows: [], tripped: [] };
    for (const [i, p] of batch.entries()) {
      const window = judgeWindow(p.spec, counts[i]);
      report.windows.push({ scope: p.scope, window });
      if (!window.trip) continue;
      try {
        const won = await this.trip(p, window);
        if (won) report.tripped.push(won);
      } catch (err) {
        // Not memoised: the next flush of this scope tries again.
        this.warn('auto-rollback', err);
      }
    }
    return report;
  }

  /** One attempt per scope: whether it won or another replica did, this epoch is over. */
  private async trip(p: Pending, w: WindowJudgement): Promise<PolicyRolloutState | null> {
    const key = scopeKey(p.scope);
    if (this.attempted.has(key)) return null;
    const won = await this.transitions.tripAuto({
      ...p.scope,
      nowMs: this.clock.now(),
      cooldownMinutes: p.spec.cooldownMinutes,
      details: {
        total: w.total,
        hits: w.hits,
        rate: w.rate,
        threshold: p.spec.threshold,
        min_requests: p.spec.minRequests,
        window_minutes: p.spec.windowMinutes,
        cooldown_minutes: p.spec.cooldownMinutes,
        decisions: p.spec.decisions,
        epoch: p.scope.epoch,
      },
    });
    if (this.attempted.size >= MAX_ATTEMPT_MEMO) this.attempted.clear();
    this.attempted.add(key);
    return won;
  }
}
