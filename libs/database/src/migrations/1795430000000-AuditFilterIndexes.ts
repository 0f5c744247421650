import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the audit query filters that otherwise walk an organisation's whole history (issue 11: "served by an
 * index, with no sequential scan on a 10M-row table"). Measured by `bench/s7-audit-scale.ts` at 10M rows (one org
 * holding 5M): a rare or absent `user_id`, `key_id`, `policy_user` or `model` took 4–7 s (sequential scan, or a
 * backward walk of the primary key); with these, 0.1–0.3 ms for rare, absent and common values alike.
 *
 * Shape `(org_id, <field>, seq)`: the page is `WHERE org_id = $1 AND <field> = $2 ORDER BY seq DESC LIMIT n`, which
 * such an index serves as an ordered backward scan reading only the page's rows. Cheaper shapes were measured and
 * refused: a hash index or `(org_id, <field>)` (10–46 B/row instead of 36–79) must fetch and sort every matching row,
 * 1.4–2.3 s for a value holding 1 % of the org. `user_id`, `api_key_id` and `policy_user` are partial (NOT NULL), so
 * rows without them cost nothing.
 *
 * On a partitioned table `CREATE INDEX` builds the index on every partition, holding writes meanwhile (20–50 s per
 * index per 10M rows here). A large existing deployment can build them first, partition by partition, with
 * `CREATE INDEX CONCURRENTLY` and the same definition; this migration then only attaches them.
 */
export class AuditFilterIndexes1795430000000 implements MigrationInterface {
  name = 'AuditFilterIndexes1795430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS "IDX_audit_event_user" ON "audit_event" ("org_id", "user_id", "seq") WHERE "user_id" IS NOT NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS "IDX_audit_event_key" ON "audit_event" ("org_id", "api_key_id", "seq") WHERE "api_key_id" IS NOT NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS "IDX_audit_event_model" ON "audit_event" ("org_id", "model", "seq") WHERE "model" IS NOT NULL`);
    await q.query(`
      CREATE INDEX IF NOT EXISTS "IDX_audit_event_policy_user" ON "audit_event" ("org_id", ((attributes->'policy')->>'policy_user'), "seq")
        WHERE (attributes->'policy') IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const name of ['IDX_audit_event_user', 'IDX_audit_event_key', 'IDX_audit_event_model', 'IDX_audit_event_policy_user']) await q.query(`DROP INDEX IF EXISTS "${name}"`);
  }
}
