import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * audit_event: one narrow row per inference request. Generated from AuditEventEntity, then reviewed:
 * UNIQUE(request_id) is the idempotency guarantee for redelivered jobs (ON CONFLICT DO NOTHING);
 * (started_at) serves time-range queries and, later, partitioning by time.
 */
export class CreateAuditEvent1795324237818 implements MigrationInterface {
  name = 'CreateAuditEvent1795324237818';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "audit_event" (
        "id" BIGSERIAL NOT NULL,
        "request_id" text NOT NULL,
        "surface" text NOT NULL,
        "model" text NOT NULL,
        "provider" text NOT NULL,
        "upstream_model" text NOT NULL,
        "stream" boolean NOT NULL,
        "status" text NOT NULL,
        "http_status" smallint NOT NULL,
        "error_code" text,
        "finish_reason" text,
        "input_tokens" integer NOT NULL,
        "output_tokens" integer NOT NULL,
        "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "finished_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "latency_ms" integer NOT NULL,
        "ttft_ms" integer,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "attributes" jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT "UQ_audit_event_request_id" UNIQUE ("request_id"),
        CONSTRAINT "PK_audit_event" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_audit_event_started_at" ON "audit_event" ("started_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_audit_event_started_at"`);
    await queryRunner.query(`DROP TABLE "audit_event"`);
  }
}
