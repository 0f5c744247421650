import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit connectors (issue 11 item 6): where an organisation's chained events are delivered (webhook, Splunk HEC, S3,
 * OTLP logs), and the batches that could not be delivered.
 *
 * - `audit_connector`: one row per connector. `config` holds the kind's settings with every secret field sealed
 *   (AES-256-GCM, see `SecretBox`); `cursor_seq` is the last chain `seq` of the org handed to the delivery queue, so
 *   delivery follows the chain (`audit_chain.seq`) without any producer knowing about connectors, and a crash
 *   between enqueue and cursor update only re-sends (at least once, `event_id` for dedupe). Counters and the last
 *   error are for the console and the SRE.
 * - `audit_connector_dead_letter`: a seq range whose delivery gave up (attempts exhausted or a permanent error),
 *   listed and replayed through the API; one row per range (a replay that fails again updates it).
 */
export class AuditConnectors1795400000000 implements MigrationInterface {
  name = 'AuditConnectors1795400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "audit_connector" (
        "id" uuid NOT NULL,
        "org_id" uuid NOT NULL,
        "name" text NOT NULL,
        "kind" text NOT NULL,
        "project_id" text,
        "event_types" text[],
        "config" jsonb NOT NULL,
        "enabled" boolean NOT NULL DEFAULT true,
        "cursor_seq" bigint NOT NULL DEFAULT 0,
        "revision" integer NOT NULL DEFAULT 1,
        "created_by" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "delivered" bigint NOT NULL DEFAULT 0,
        "dead_lettered" bigint NOT NULL DEFAULT 0,
        "last_success_at" TIMESTAMP WITH TIME ZONE,
        "last_error" text,
        "last_error_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_audit_connector" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_audit_connector_name" UNIQUE ("org_id", "name"),
        CONSTRAINT "CHK_audit_connector_kind" CHECK ("kind" IN ('webhook', 'splunk_hec', 's3', 'otlp_logs')),
        CONSTRAINT "FK_audit_connector_org" FOREIGN KEY ("org_id") REFERENCES "organization"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "IDX_audit_connector_enabled" ON "audit_connector" ("org_id") WHERE "enabled"`);
    await q.query(`
      CREATE TABLE "audit_connector_dead_letter" (
        "id" uuid NOT NULL,
        "org_id" uuid NOT NULL,
        "connector_id" uuid NOT NULL,
        "from_seq" bigint NOT NULL,
        "to_seq" bigint NOT NULL,
        "events" integer NOT NULL,
        "attempts" integer NOT NULL,
        "error" text NOT NULL,
        "status" integer,
        "failed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "replayed_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "PK_audit_connector_dead_letter" PRIMARY KEY ("id"),
        CONSTRAINT "UQ_audit_connector_dead_letter_range" UNIQUE ("connector_id", "from_seq", "to_seq"),
        CONSTRAINT "FK_audit_connector_dead_letter_connector" FOREIGN KEY ("connector_id") REFERENCES "audit_connector"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "IDX_audit_connector_dead_letter_org" ON "audit_connector_dead_letter" ("org_id", "connector_id", "failed_at" DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_connector_dead_letter"`);
    await q.query(`DROP TABLE "audit_connector"`);
  }
}
