import { Pool } from 'pg';

export interface Reservation {
  /** Credits held for this call (≤ wanted); 0 when the balance could not cover one credit. */
  granted: number;
  /** Credits available to the organisation before this reservation (balance − reserved). */
  availableBefore: number;
}

/**
 * One statement: lock the account row, grant `min(wanted, balance − reserved)` when at least one
 * credit is free, record the reservation and raise `reserved`. Concurrent calls of one organisation
 * serialise on its row, so the grants can never add up to more than the balance.
 */
const RESERVE_SQL = `
WITH acct AS (
  SELECT org_id, balance - reserved AS available FROM credit_account WHERE org_id = $1 FOR UPDATE
), grant_ AS (
  SELECT org_id, LEAST($3::bigint, available) AS credits FROM acct WHERE available >= 1
), ins AS (
  INSERT INTO credit_reservation (request_id, org_id, credits, expires_at)
  SELECT $2, org_id, credits, now() + make_interval(secs => $4::double precision / 1000) FROM grant_
  ON CONFLICT (request_id) DO NOTHING
  RETURNING org_id, credits
), upd AS (
  UPDATE credit_account a SET reserved = a.reserved + ins.credits, updated_at = now() FROM ins WHERE a.org_id = ins.org_id
  RETURNING a.org_id
)
SELECT (SELECT available FROM acct) AS available, (SELECT credits FROM ins) AS granted, (SELECT count(*) FROM upd) AS updated`;

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
