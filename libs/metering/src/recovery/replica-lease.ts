import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Pool } from 'pg';
import { ProgressBook, type ProgressBatch } from './progress-book';

export interface ReplicaLeaseOptions {
  /** `inference`, `control` or `all` (informational). */
  role: string;
  heartbeatMs: number;
  checkpointMs: number;
  /** Called when a heartbeat or checkpoint fails (it is retried at the next tick). */
  onError?: (what: string, err: Error) => void;
}

const UPSERT_SQL = `
INSERT INTO gateway_replica (boot_id, role, host, pid) VALUES ($1, $2, $3, $4)
ON CONFLICT (boot_id) DO UPDATE SET heartbeat_at = now()`;

/** One statement per tick for every call of this process whose usage moved; settled calls simply match no row. */
const CHECKPOINT_SQL = `
UPDATE credit_reservation r
   SET input_tokens = u.input_tokens, output_tokens = u.output_tokens, progress_at = now(),
       reached_upstream_at = COALESCE(r.reached_upstream_at, now())
  FROM unnest($1::text[], $2::int[], $3::int[]) AS u(request_id, input_tokens, output_tokens)
 WHERE r.request_id = u.request_id`;

/**
 * This process's lease: a random boot id (new at every start), its `gateway_replica` row kept fresh by
 * a heartbeat, and the periodic progress checkpoint of its calls in flight. A peer that sees the row
 * stale (REPLICA_STALE_MS) or gone settles this boot's reservations as `gateway_lost`. Runs on its own
 * one-connection pool so a saturated admission pool can never delay the heartbeat into a false death;
 * asynchronous commit, since a lost heartbeat or checkpoint only under-charges an orphan.
 */
export class ReplicaLease {
  readonly bootId = randomUUID();
  readonly progress = new ProgressBook();
  private readonly pool: Pool;
  private timers: NodeJS.Timeout[] = [];
  /** Since when every heartbeat succeeded (0 = the last one failed). */
  private healthySince = 0;
  private checkpointing: Promise<void> | undefined;
  /** Runs first at each checkpoint: gives lease-granted calls in flight their reservation rows (CreditLeases). */
  private carver: (() => Promise<void>) | undefined;

  constructor(
    databaseUrl: string,
    private readonly opts: ReplicaLeaseOptions,
  ) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 1, options: '-c synchronous_commit=off', application_name: 'llm-gateway-lease' });
    this.pool.on('error', () => undefined); // surfaces on the next query
  }

  /** Registers the boot (awaited: a process that cannot register must not serve) and starts the timers. */
  async start(): Promise<void> {
    await this.beat();
    const every = (ms: number, fn: () => Promise<void>, what: string) => {
      const t = setInterval(() => void fn().catch((err: Error) => this.opts.onError?.(what, err)), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.heartbeatMs, () => this.beat(), 'heartbeat');
    every(this.opts.checkpointMs, () => this.checkpoint(), 'progress checkpoint');
  }

  private async beat(): Promise<void> {
    try {
      await this.pool.query(UPSERT_SQL, [this.bootId, this.opts.role, hostname(), process.pid]);
      this.healthySince ||= Date.now();
    } catch (err) {
      this.healthySince = 0;
      throw err;
    }
  }

  /**
   * True when this process has reached the database without a gap for `ms`. A peer's stale heartbeat
   * proves its death only then: after a database outage every heartbeat is stale, the living's too.
   */
  healthyFor(ms: number): boolean {
    return this.healthySince > 0 && Date.now() - this.healthySince >= ms;
  }

  /** Writes the calls whose usage changed since the last checkpoint (one at a time, never overlapping). */
  checkpoint(): Promise<void> {
    this.checkpointing ??= this.writeChanged().finally(() => (this.checkpointing = undefined));
    return this.checkpointing;
  }

  /** Sets what runs before each checkpoint's write (the credit leases' carve). */
  beforeCheckpoint(carver: () => Promise<void>): void {
    this.carver = carver;
  }

  private async writeChanged(): Promise<void> {
    await this.carver?.().catch((err: Error) => this.opts.onError?.('credit lease carve', err));
    const batch: ProgressBatch = this.progress.takeChanged();
    if (!batch.requestIds.length) return;
    try {
      await this.pool.query(CHECKPOINT_SQL, [batch.requestIds, batch.inputTokens, batch.outputTokens]);
    } catch (err) {
      this.progress.retry(batch);
      throw err;
    }
  }

  /**
   * Clean stop, after the apps closed (their calls settled and the billing producer flushed): drops the
   * row, so peers need not wait REPLICA_STALE_MS for anything this boot still holds (the orphan sweep
   * leaves alone reservations whose settlement is already queued).
   */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.checkpointing?.catch(() => undefined);
    await this.pool.query('DELETE FROM gateway_replica WHERE boot_id = $1', [this.bootId]).catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}
