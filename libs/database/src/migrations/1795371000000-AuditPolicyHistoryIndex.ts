import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `GET /api/policy-gateway/history` merges enforcement rows of `audit_event` (those with a `policy` attribute) for
 * one organisation. Without this index the newest-first scan walks every organisation's rows; with it, a small
 * organisation or a rare policy on a large table reads only its own. Partial (policy rows only) to keep the
 * /v1 traffic's rows out of it. Issue 11 gives `audit_event` a real `org_id` column; this index goes with it then.
 */
export class AuditPolicyHistoryIndex1795371000000 implements MigrationInterface {
  name = 'AuditPolicyHistoryIndex1795371000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX "IDX_audit_event_policy_org" ON "audit_event" ((attributes->>'org_id'), "started_at" DESC, "id" DESC)
        WHERE (attributes->'policy') IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_audit_event_policy_org"`);
  }
}
