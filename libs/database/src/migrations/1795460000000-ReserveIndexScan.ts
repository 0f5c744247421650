import type { MigrationInterface, QueryRunner } from 'typeorm';

const SIGNATURE =
  'gw_reserve_credits_batch(uuid, double precision, uuid, text[], bigint[], uuid[], uuid[], text[], text[], text[], text[], boolean[], integer[], timestamptz[])';

/**
 * Issue 12: `credit_reservation` is a churn table, a row inserted at admission and deleted at settlement for every
 * call, so it holds far more dead tuples than live ones until VACUUM runs (autovacuum wakes once per
 * `autovacuum_naptime`, a minute by default; at 2,500 calls/s that is ~150k dead rows, and where autovacuum is off,
 * as on the test machines, they stay). The reservation sums the organisation's held credits by `org_id`, and its
 * generic plan used a bitmap scan: a bitmap scan never marks index entries dead, so every admission visited every
 * dead row of the organisation again. Measured on the bench database after two quick runs (51k dead, 0 live): 6.4 ms
 * per sum with the bitmap scan, on every call; a plain index scan paid 6.1 ms once, marked the entries dead, and then
 * took 0.06 ms. The quick production bench's c=1 added p50 rose 1.47 → 2.45 ms from its first run to its second for
 * this reason. So the function plans without bitmap scans: its lookups (the advisory lock key, the org's
 * reservations, request ids) are all equality lookups that a plain index scan serves. Results, behaviour and the
 * signature are unchanged.
 */
export class ReserveIndexScan1795460000000 implements MigrationInterface {
  name = 'ReserveIndexScan1795460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${SIGNATURE} SET enable_bitmapscan = off`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${SIGNATURE} RESET enable_bitmapscan`);
  }
}
