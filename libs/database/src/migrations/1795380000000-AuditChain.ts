import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `to_char` spelling of an ISO-8601 UTC time with milliseconds, as the audit records carry them. */
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Issue 11: the audit trail becomes a per-organisation hash chain in a table partitioned by month.
 *
 * - `audit_event` (re-created): one row per event of any class, `(org_id, seq)` the chain position (`org_id` a
 *   uuid, 16 B; the nil UUID is the chain of no organisation, e.g. the anonymous free tier), `created_at` (the
 *   writer's chaining time, non-decreasing along each chain) the partition key, `prev_hash`/`entry_hash` SHA-256
 *   (bytea, 32 B each). The primary key serves every per-org read (newest first by seq, time ranges by pruning).
 *   Primary key `(org_id, seq, created_at)`: a partitioned table's unique keys must hold the partition key.
 *   `event_id` is indexed for lookups and for the writer's redelivery check (no global UNIQUE is possible).
 * - `audit_chain`: one head row per organisation (`seq`, `entry_hash`, last checkpoint, and `retained_from`: the
 *   lowest seq retention may have removed up to, so verify can tell a retention gap from a deleted row). The writer locks it
 *   (`FOR UPDATE`) in the transaction that inserts the batch, so one writer at a time extends an org's chain,
 *   whatever the number of control replicas.
 * - `audit_checkpoint`: Ed25519 signatures over `(org, seq, entry_hash, created_at)`; `audit_signing_key` keeps
 *   every public key that ever signed, so checkpoints stay verifiable after a key rotation.
 * - `audit_inbox`: records written by SQL in another transaction (the orphan sweeper, admin changes, this
 *   migration), drained into the chain by the control app in order. Nothing is chained outside the writer.
 *
 * Existing rows migrate forward losslessly: each becomes a version-1 record in the inbox (every column, the old
 * id and commit time under `attributes.migrated`), and is chained at the control app's next start.
 */
export class AuditChain1795380000000 implements MigrationInterface {
  name = 'AuditChain1795380000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "audit_inbox" (
        "id" BIGSERIAL NOT NULL,
        "record" jsonb NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_audit_inbox" PRIMARY KEY ("id")
      )`);
    await q.query(`
      INSERT INTO "audit_inbox" ("record")
      SELECT jsonb_build_object(
               'v', 1, 'requestId', request_id, 'surface', surface, 'model', model, 'provider', provider,
               'upstreamModel', upstream_model, 'stream', stream, 'status', status, 'httpStatus', http_status,
               'errorCode', error_code, 'finishReason', finish_reason, 'inputTokens', input_tokens, 'outputTokens', output_tokens,
               'startedAt', ${iso('started_at')}, 'finishedAt', ${iso('finished_at')}, 'latencyMs', latency_ms, 'ttftMs', ttft_ms,
               'attributes', attributes || jsonb_build_object('migrated', jsonb_build_object('id', id::text, 'created_at', ${iso('created_at')})))
        FROM "audit_event" ORDER BY id`);
    await q.query(`DROP TABLE "audit_event"`);
    await q.query(`
      CREATE TABLE "audit_event" (
        "org_id" uuid NOT NULL,
        "seq" bigint NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "event_id" uuid NOT NULL,
        "event_type" text NOT NULL,
        "v" smallint NOT NULL,
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "project_id" text,
        "principal_kind" text NOT NULL,
        "api_key_id" text,
        "key_preview" text,
        "user_id" text,
        "request_id" text,
        "surface" text,
        "model" text,
        "provider" text,
        "upstream_model" text,
        "stream" boolean,
        "status" text,
        "http_status" smallint,
        "error_code" text,
        "finish_reason" text,
        "input_tokens" integer,
        "output_tokens" integer,
        "started_at" TIMESTAMP WITH TIME ZONE,
        "latency_ms" integer,
        "ttft_ms" integer,
        "attributes" jsonb NOT NULL DEFAULT '{}',
        "prev_hash" bytea NOT NULL,
        "entry_hash" bytea NOT NULL,
        CONSTRAINT "PK_audit_event" PRIMARY KEY ("org_id", "seq", "created_at")
      ) PARTITION BY RANGE ("created_at")`);
    await q.query(`CREATE INDEX "IDX_audit_event_event_id" ON "audit_event" ("event_id")`);
    await q.query(`
      CREATE INDEX "IDX_audit_event_policy_org" ON "audit_event" ("org_id", "started_at" DESC, "seq" DESC)
        WHERE (attributes->'policy') IS NOT NULL`);
    // The current month and the next two; the control app keeps creating months ahead (AuditPartitions).
    await q.query(`
      DO $$
      DECLARE m date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
      BEGIN
        FOR i IN 0..2 LOOP
          EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF audit_event FOR VALUES FROM (%L) TO (%L)',
            'audit_event_' || to_char(m + make_interval(months => i), 'YYYY_MM'),
            (m + make_interval(months => i))::timestamp AT TIME ZONE 'UTC', (m + make_interval(months => i + 1))::timestamp AT TIME ZONE 'UTC');
        END LOOP;
      END $$`);
    await q.query(`
      CREATE TABLE "audit_chain" (
        "org_id" uuid NOT NULL,
        "seq" bigint NOT NULL,
        "entry_hash" bytea NOT NULL,
        "checkpoint_seq" bigint NOT NULL DEFAULT 0,
        "checkpoint_at" TIMESTAMP WITH TIME ZONE,
        "retained_from" bigint NOT NULL DEFAULT 1,
        "retention_days" integer,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_audit_chain" PRIMARY KEY ("org_id")
      )`);
    await q.query(`
      CREATE TABLE "audit_signing_key" (
        "key_id" text NOT NULL,
        "public_key" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_audit_signing_key" PRIMARY KEY ("key_id")
      )`);
    await q.query(`
      CREATE TABLE "audit_checkpoint" (
        "org_id" uuid NOT NULL,
        "seq" bigint NOT NULL,
        "entry_hash" bytea NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "key_id" text NOT NULL,
        "signature" bytea NOT NULL,
        CONSTRAINT "PK_audit_checkpoint" PRIMARY KEY ("org_id", "seq"),
        CONSTRAINT "FK_audit_checkpoint_key" FOREIGN KEY ("key_id") REFERENCES "audit_signing_key"("key_id") ON DELETE RESTRICT
      )`);
    await this.revisionTrigger(q);
  }

  /**
   * Every revision entry (`policy_history`: policy, project, key, rollout changes) is also a `revision` audit
   * event: a trigger puts it in the inbox in the transaction of the change, so no path can skip it.
   */
  private async revisionTrigger(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_policy_history() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO audit_inbox (record) VALUES (jsonb_build_object(
          'v', 2, 'eventType', 'revision', 'eventId', gen_random_uuid()::text, 'orgId', NEW.org_id, 'projectId', NEW.project_id,
          'principal', jsonb_build_object('kind', NEW.actor_kind,
                                          'keyId', CASE WHEN NEW.actor_kind = 'api_key' THEN NEW.actor_id END,
                                          'userId', CASE WHEN NEW.actor_kind = 'user' THEN NEW.actor_id END),
          'occurredAt', ${iso('NEW.created_at')},
          'attributes', jsonb_strip_nulls(jsonb_build_object(
            'action', NEW.edit_type, 'history_id', NEW.id::text, 'policy_id', NEW.policy_id, 'policy_version', NEW.policy_version,
            'actor', CASE WHEN NEW.actor_kind = 'system' THEN NEW.actor_id END, 'details', NEW.details))
            || jsonb_build_object('before', NEW.before, 'after', NEW.after)));
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "TRG_policy_history_audit" AFTER INSERT ON "policy_history" FOR EACH ROW EXECUTE FUNCTION audit_policy_history()`);
  }

  /** Back to the flat table: request events return as rows (their chain is dropped), the inbox's v1 records too. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "TRG_policy_history_audit" ON "policy_history"`);
    await q.query(`DROP FUNCTION audit_policy_history()`);
    await q.query(`DROP TABLE "audit_checkpoint"`);
    await q.query(`DROP TABLE "audit_signing_key"`);
    await q.query(`DROP TABLE "audit_chain"`);
    await q.query(`ALTER TABLE "audit_event" RENAME TO "audit_event_chained"`);
    await q.query(`ALTER TABLE "audit_event_chained" RENAME CONSTRAINT "PK_audit_event" TO "PK_audit_event_chained"`);
    await q.query(`DROP INDEX "IDX_audit_event_policy_org"`);
    await q.query(`DROP INDEX "IDX_audit_event_event_id"`);
    await q.query(`
      CREATE TABLE "audit_event" (
        "id" BIGSERIAL NOT NULL, "request_id" text NOT NULL, "surface" text NOT NULL, "model" text NOT NULL, "provider" text NOT NULL,
        "upstream_model" text NOT NULL, "stream" boolean NOT NULL, "status" text NOT NULL, "http_status" smallint NOT NULL,
        "error_code" text, "finish_reason" text, "input_tokens" integer NOT NULL, "output_tokens" integer NOT NULL,
        "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE NOT NULL, "latency_ms" integer NOT NULL,
        "ttft_ms" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "attributes" jsonb NOT NULL DEFAULT '{}',
        CONSTRAINT "UQ_audit_event_request_id" UNIQUE ("request_id"), CONSTRAINT "PK_audit_event" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "IDX_audit_event_started_at" ON "audit_event" ("started_at")`);
    await q.query(`
      INSERT INTO "audit_event" (request_id, surface, model, provider, upstream_model, stream, status, http_status, error_code, finish_reason,
                                 input_tokens, output_tokens, started_at, finished_at, latency_ms, ttft_ms, created_at, attributes)
      SELECT request_id, COALESCE(surface, ''), COALESCE(model, ''), COALESCE(provider, ''), COALESCE(upstream_model, ''), COALESCE(stream, false),
             COALESCE(status, ''), COALESCE(http_status, 0), error_code, finish_reason, COALESCE(input_tokens, 0), COALESCE(output_tokens, 0),
             COALESCE(started_at, occurred_at), occurred_at, COALESCE(latency_ms, 0), ttft_ms, created_at,
             attributes || CASE WHEN org_id = '00000000-0000-0000-0000-000000000000' THEN '{}'::jsonb ELSE jsonb_build_object('org_id', org_id) END
        FROM "audit_event_chained" WHERE request_id IS NOT NULL AND event_type = 'enforcement'
      ON CONFLICT (request_id) DO NOTHING`);
    await q.query(`
      INSERT INTO "audit_event" (request_id, surface, model, provider, upstream_model, stream, status, http_status, error_code, finish_reason,
                                 input_tokens, output_tokens, started_at, finished_at, latency_ms, ttft_ms, attributes)
      SELECT r->>'requestId', r->>'surface', r->>'model', r->>'provider', r->>'upstreamModel', (r->>'stream')::boolean, r->>'status',
             (r->>'httpStatus')::smallint, r->>'errorCode', r->>'finishReason', (r->>'inputTokens')::int, (r->>'outputTokens')::int,
             (r->>'startedAt')::timestamptz, (r->>'finishedAt')::timestamptz, (r->>'latencyMs')::int, (r->>'ttftMs')::int, COALESCE(r->'attributes', '{}')
        FROM (SELECT record AS r FROM "audit_inbox" ORDER BY id) i WHERE (r->>'v') = '1'
      ON CONFLICT (request_id) DO NOTHING`);
    await q.query(`DROP TABLE "audit_event_chained"`);
    await q.query(`DROP TABLE "audit_inbox"`);
    await q.query(`
      CREATE INDEX "IDX_audit_event_policy_org" ON "audit_event" ((attributes->>'org_id'), "started_at" DESC, "id" DESC)
        WHERE (attributes->'policy') IS NOT NULL`);
  }
}
