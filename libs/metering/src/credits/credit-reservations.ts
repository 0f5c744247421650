import { Pool } from 'pg';
import type { ProgressBook, ProgressProbe } from '../recovery/progress-book';
import { GroupAdmission } from './group-admission';

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

/**
 * One round trip for a batch of one organisation's calls: `gw_reserve_credits_batch` (ReserveCreditsBatch
 * migration) locks once, reads once, grants in order and records each call's boot and facts.
 */
const RESERVE_BATCH_SQL =
  'SELECT ord, available, granted FROM gw_reserve_credits_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)';

/**
 * A named statement: each pooled connection parses it once, then every call is Bind + Execute only (an unnamed
 * statement is parsed and planned again on every call: ~0.07 ms of the ~0.33 ms round trip, pgbench).
 */
const RESERVE_BATCH_STATEMENT = 'gw_reserve_credits_batch';

/** Calls per batch at most (one statement; the rest go with the next batch). */
const MAX_BATCH = 256;

interface Ask {
  requestId: string;
  wanted: number;
  ttlMs: number;
  facts?: ReservationFacts;
}

/**
 * The nine fact columns of reservation rows, one array each, in the order `gw_reserve_credits_batch` and
 * `gw_credit_lease_carve` take them (null where a call has no facts).
 */
export function factColumns(facts: Array<ReservationFacts | undefined>): unknown[][] {
  const col = <V>(f: (x: ReservationFacts) => V): (V | null)[] => facts.map((x) => (x ? f(x) : null));
  return [
    col((f) => f.apiKeyId),
    col((f) => f.userId),
    col((f) => f.model),
    col((f) => f.provider),
    col((f) => f.upstreamModel),
    col((f) => f.surface),
    col((f) => f.stream),
    col((f) => Math.round(f.inputTokens)),
    col((f) => new Date(f.startedAtMs)),
  ];
}

/**
 * The admission side of credits, on the request path. Uses its own small pool with
 * `synchronous_commit=off`: a reservation lost in a database crash only frees credits, never
 * spends them, so it need not wait for the WAL flush (~1 fsync per call otherwise). Settlement is
 * durable: it happens in the ledger processor on the normal data source. With an owner (the
 * process's replica lease), each reservation records its boot, so a crash leaves recoverable orphans.
 */
export class CreditReservations {
  private readonly pool: Pool;
  private readonly group = new GroupAdmission<string, Ask, Reservation>({ send: (key, asks) => this.send(key, asks), maxBatch: MAX_BATCH });

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

  /**
   * Reserves up to `wanted` credits for `requestId`; `granted: 0` when below one credit (→ 402). Calls of one
   * organisation arriving while its previous batch is in flight go together in the next one ({@link GroupAdmission}).
   */
  reserve(orgId: string, requestId: string, wanted: number, ttlMs: number, facts?: ReservationFacts): Promise<Reservation> {
    return this.group.submit(`${orgId}|${ttlMs}`, { requestId, wanted: Math.max(1, Math.ceil(wanted)), ttlMs, facts });
  }

  /** Batches sent and calls they carried. */
  get batchStats(): { batches: number; items: number } {
    return this.group.stats;
  }

  private async send(key: string, asks: Ask[]): Promise<Reservation[]> {
    const orgId = key.slice(0, key.indexOf('|'));
    const owner = this.owner;
    const params = [orgId, asks[0].ttlMs, owner ? owner.bootId : null, asks.map((a) => a.requestId), asks.map((a) => a.wanted), ...factColumns(asks.map((a) => (owner ? a.facts : undefined)))];
    const { rows } = await this.pool.query<{ ord: number; available: string | null; granted: string | null }>({ name: RESERVE_BATCH_STATEMENT, text: RESERVE_BATCH_SQL, values: params });
    const out: Reservation[] = asks.map(() => ({ granted: 0, availableBefore: 0 }));
    for (const row of rows) {
      out[row.ord - 1] = { granted: Number(row.granted ?? 0), availableBefore: Math.max(0, Number(row.available ?? 0)) };
    }
    return out;
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
