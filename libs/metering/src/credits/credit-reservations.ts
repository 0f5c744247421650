import { Pool } from 'pg';

export interface Reservation {
  /** Credits held for this call (≤ wanted); 0 when the balance could not cover one credit. */
  granted: number;
  /** Credits available to the organisation before this reservation (balance − reserved). */
  availableBefore: number;
}

/** One round trip: `gw_reserve_credits` (see the CreateCredits migration) locks, reads and reserves. */
const RESERVE_SQL = 'SELECT available, granted FROM gw_reserve_credits($1, $2, $3, $4)';

/**
 * The admission side of credits, on the request path. Uses its own small pool with
 * `synchronous_commit=off`: a reservation lost in a database crash only frees credits, never
 * spends them, so it need not wait for the WAL flush (~1 fsync per call otherwise). Settlement is
 * durable: it happens in the ledger processor on the normal data source.
 */
export class CreditReservations {
  private readonly pool: Pool;

  constructor(databaseUrl: string, poolSize = 10) {
    this.pool = new Pool({
      connectionString: databaseUrl,
      max: poolSize,
      options: '-c synchronous_commit=off',
      application_name: 'llm-gateway-credits',
    });
    this.pool.on('error', () => undefined); // idle-client errors surface on the next query
  }

  /** Reserves up to `wanted` credits for `requestId`; `granted: 0` when below one credit (→ 402). */
  async reserve(orgId: string, requestId: string, wanted: number, ttlMs: number): Promise<Reservation> {
    const { rows } = await this.pool.query<{ available: string | null; granted: string | null }>(RESERVE_SQL, [
      orgId,
      requestId,
      Math.max(1, Math.ceil(wanted)),
      ttlMs,
    ]);
    const row = rows[0];
    return { granted: Number(row?.granted ?? 0), availableBefore: Math.max(0, Number(row?.available ?? 0)) };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
