import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the audit query filters that otherwise walk an organisation's whole history (issue 11: "served by an
 * index, with no sequential scan on a 10M-row table"). Measured by `bench/s7-audit-scale.ts` at 10M rows (one org
 * holding 5M; `--index-variants` compares the shapes): a rare or absent `user_id`, `key_id`, `policy_user` or `model`
 * took 4.3–9.1 s (sequential scan, or a backward walk of the primary key).
 *
 * - `user_id`, `api_key_id`, `model`: `(org_id, x)`, partial (NOT NULL), 6–7 B/row thanks to b-tree deduplication.
 *   A rare value (609–6,505 rows) is found and sorted in 0.9–7.8 ms, an absent one in 0.1 ms; for a common value
 *   the planner keeps the primary key's backward scan (4 ms), since the column statistics tell it the value is
 *   common. `(org_id, x, seq)` (57–79 B/row) serves every case in 0.2 ms and under generic plans too, but the
 *   gateway's queries get custom plans (unnamed statements), so the 10× larger index buys little. Hash indexes were
 *   larger (36–41 B/row) and slower to build.
 * - `policy_user` (an expression over the jsonb): `(org_id, expr, seq)`, partial, 36 B/row. The planner has no good
 *   statistics for the expression; with the small shapes it misjudged a rare value as common and walked the org
 *   (5.6–12 s). The ordered index is cheapest whatever the estimate: 0.1–0.2 ms in every case.
 *
 * On a partitioned table `CREATE INDEX` builds the index on every partition, holding writes meanwhile (13–20 s per
 * index per 10M rows here). A large existing deployment can build them first, partition by partition, with
 * `CREATE INDEX CONCURRENTLY` and the same definitions; this migration then attaches them.
 */
export class AuditFilterIndexes1795430000000 implements MigrationInterface {
  name = 'AuditFilterIndexes1795430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS "IDX_audit_event_user" ON "audit_event" ("org_id", "user_id") WHERE "user_id" IS NOT NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS "IDX_audit_event_key" ON "audit_event" ("org_id", "api_key_id") WHERE "api_key_id" IS NOT NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS "IDX_audit_event_model" ON "audit_event" ("org_id", "model") WHERE "model" IS NOT NULL`);
    await q.query(`
      CREATE INDEX IF NOT EXISTS "IDX_audit_event_policy_user" ON "audit_event" ("org_id", ((attributes->'policy')->>'policy_user'), "seq")
        WHERE (attributes->'policy') IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of ['IDX_audit_event_user', 'IDX_audit_event_key', 'IDX_audit_event_model', 'IDX_audit_event_policy_user']) await q.query(`DROP INDEX IF EXISTS "${name}"`);
  }
}
