import { Pool } from 'pg';
import type { ProgressBook, ProgressProbe } from '../recovery/progress-book';

export interface Reservation {
  /** Credits held for this call (≤ wanted); 0 when the balance could not cover one credit. */
  granted: number;
  /** Credits available to the organisation before this reservation (balance − reserved). */
  availableBefore: number;
}

/** What an orphan settlement needs to bill and audit a call without the process that served it. */
export interface ReservationFacts {
  apiKeyId: string | null;
  userId: string | null;
  model: string;
  provider: string;
  upstreamModel: string;
  surface: string;
  stream: boolean;
  inputTokens: number;
  startedAtMs: number;
}

/** The process's replica lease, as admission needs it (see ReplicaLease). */
export interface ReservationOwner {
  bootId: string;
  progress: ProgressBook;
}

/** One round trip: `gw_reserve_credits` (see the CreateCredits migration) locks, reads and reserves. */
const RESERVE_SQL = 'SELECT available, granted FROM gw_reserve_credits($1, $2, $3, $4)';
/** The same round trip, also recording the owner boot and the call's facts (ReplicaLeases migration). */
const RESERVE_V2_SQL = 'SELECT available, granted FROM gw_reserve_credits_v2($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)';

/**
 * The admission side of credits, on the request path. Uses its own small pool with
 * `synchronous_commit=off`: a reservation lost in a database crash only frees credits, never
 * spends them, so it need not wait for the WAL flush (~1 fsync per call otherwise). Settlement is
 * durable: it happens in the ledger processor on the normal data source. With an owner (the
 * process's replica lease), each reservation records its boot, so a crash leaves recoverable orphans.
 */
export class CreditReservations {
  private readonly pool: Pool;

  constructor(
    databaseUrl: string,
    poolSize = 10,
    readonly owner?: ReservationOwner,
  ) {
    this.pool = new Pool({
      connectionString: databaseUrl,
      max: poolSize,
      options: '-c synchronous_commit=off',
      application_name: 'llm-gateway-credits',
    });
    this.pool.on('error', () => undefined); // idle-client errors surface on the next query
  }

  /** Reserves up to `wanted` credits for `requestId`; `granted: 0` when below one credit (→ 402). */
  async reserve(orgId: string, requestId: string, wanted: number, ttlMs: number, facts?: ReservationFacts): Promise<Reservation> {
    const base: unknown[] = [orgId, requestId, Math.max(1, Math.ceil(wanted)), ttlMs];
    const v2 = this.owner && facts;
    const params = v2
      ? [
          ...base,
          this.owner.bootId,
          facts.apiKeyId,
          facts.userId,
          facts.model,
          facts.provider,
          facts.upstreamModel,
          facts.surface,
          facts.stream,
          Math.round(facts.inputTokens),
          new Date(facts.startedAtMs),
        ]
      : base;
    const { rows } = await this.pool.query<{ available: string | null; granted: string | null }>(v2 ? RESERVE_V2_SQL : RESERVE_SQL, params);
    const row = rows[0];
    return { granted: Number(row?.granted ?? 0), availableBefore: Math.max(0, Number(row?.available ?? 0)) };
  }

  /** The call reached its upstream: its progress is checkpointed from now on (no-op without an owner). */
  watch(requestId: string, probe: ProgressProbe): void {
    this.owner?.progress.watch(requestId, probe);
  }

  /** The call settled: stop checkpointing it. */
  forget(requestId: string): void {
    this.owner?.progress.forget(requestId);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
