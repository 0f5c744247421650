import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 11, content retention and per-org retention settings.
 *
 * - `audit_content`: the prompt and output text of events whose policy retains content (`audit.retain_content`),
 *   sealed by the inference plane (AES-256-GCM, `v1.<iv>.<ciphertext>.<tag>`, bound to org, event and field) and
 *   never stored in clear. Outside the chained event (which only says `content_retained: true`), so its expiry
 *   never breaks a chain. `created_at` is the event's own; `expires_at` the end of its content retention, indexed
 *   for the hourly deletion. Not partitioned: rows are few (opt-in) and leave by expiry, not by month.
 * - `audit_chain.content_retention_days`: an org's shorter content retention (null: each row's own expiry), set
 *   through `PUT /api/audit/retention` beside the existing `retention_days` of its events.
 */
export class AuditContent1795420000000 implements MigrationInterface {
  name = 'AuditContent1795420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "audit_content" (
        "org_id" uuid NOT NULL,
        "event_id" uuid NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "prompt" text,
        "output" text,
        "key_id" text NOT NULL,
        CONSTRAINT "PK_audit_content" PRIMARY KEY ("org_id", "event_id")
      )`);
    await q.query(`CREATE INDEX "IDX_audit_content_expires_at" ON "audit_content" ("expires_at")`);
    await q.query(`ALTER TABLE "audit_chain" ADD COLUMN "content_retention_days" integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "audit_chain" DROP COLUMN "content_retention_days"`);
    await q.query(`DROP TABLE "audit_content"`);
  }
}
