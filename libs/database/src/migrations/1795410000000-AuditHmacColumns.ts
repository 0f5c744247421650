import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `prompt_hmac` / `output_hmac` get their own bytea columns on `audit_event` (issue 11, "rows stay narrow"). In
 * `attributes` each was 64 hex characters plus its key in jsonb (~80 bytes); as bytea 33. Storage only: the event
 * (and its entry hash) still shows them in `attributes`, `eventFromRow` puts them back. Existing rows are not
 * rewritten (reads accept both places); adding nullable columns without a default is a catalogue change, instant on
 * any table size, propagated to every partition.
 */
export class AuditHmacColumns1795410000000 implements MigrationInterface {
  name = 'AuditHmacColumns1795410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "audit_event" ADD COLUMN "prompt_hmac" bytea, ADD COLUMN "output_hmac" bytea`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE "audit_event" SET "attributes" = "attributes"
        || CASE WHEN "prompt_hmac" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('prompt_hmac', encode("prompt_hmac", 'hex')) END
        || CASE WHEN "output_hmac" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('output_hmac', encode("output_hmac", 'hex')) END
      WHERE "prompt_hmac" IS NOT NULL OR "output_hmac" IS NOT NULL`);
    await q.query(`ALTER TABLE "audit_event" DROP COLUMN "prompt_hmac", DROP COLUMN "output_hmac"`);
  }
}
