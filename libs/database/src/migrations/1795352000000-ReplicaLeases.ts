import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Admission that also records who holds the reservation: the same lock-read-insert as
 * gw_reserve_credits (CreateCredits), plus the boot id of the replica serving the call and what an
 * orphan settlement needs to bill and audit it without that replica (payer, model, surface, stream,
 * counted input). A new name rather than an overload, so replicas of the previous release keep calling
 * the old function during a rolling upgrade (their rows have no boot id: only the TTL sweep frees them).
 */
const RESERVE_FUNCTION_V2 = `
CREATE FUNCTION gw_reserve_credits_v2(
  p_org uuid, p_request text, p_wanted bigint, p_ttl_ms double precision,
  p_boot uuid, p_api_key uuid, p_user uuid, p_model text, p_provider text, p_upstream_model text,
  p_surface text, p_stream boolean, p_input_tokens integer, p_started_at timestamptz)
RETURNS TABLE (available bigint, granted bigint) LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_grant bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_org::text, 7702));
  SELECT GREATEST(a.balance - COALESCE((SELECT sum(r.credits) FROM credit_reservation r WHERE r.org_id = p_org), 0), 0)
    INTO available FROM credit_account a WHERE a.org_id = p_org;
  available := COALESCE(available, 0);
  v_grant := LEAST(p_wanted, available);
  granted := 0;
  IF v_grant >= 1 THEN
    INSERT INTO credit_reservation (request_id, org_id, credits, expires_at, boot_id, api_key_id, user_id, model, provider,
                                    upstream_model, surface, stream, input_tokens, started_at)
    VALUES (p_request, p_org, v_grant, now() + make_interval(secs => p_ttl_ms / 1000), p_boot, p_api_key, p_user, p_model,
            p_provider, p_upstream_model, p_surface, p_stream, p_input_tokens, p_started_at)
    ON CONFLICT (request_id) DO NOTHING;
    IF FOUND THEN granted := v_grant; END IF;
  END IF;
  RETURN NEXT;
END
$fn$`;

/**
 * Crash recovery (issue 8). `gateway_replica`: one row per process start (boot), refreshed by its
 * heartbeat; a boot whose heartbeat is stale (or whose row is gone) is dead. `credit_reservation`
 * gains its owner's boot id, the call's billing and audit facts, and its progress (`reached_upstream_at`,
 * input/output tokens so far, checkpointed in batches), so a peer can settle and audit the orphans of
 * a dead boot. All new columns are nullable: rows of older replicas keep working.
 */
export class ReplicaLeases1795352000000 implements MigrationInterface {
  name = 'ReplicaLeases1795352000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "gateway_replica" (
        "boot_id" uuid NOT NULL,
        "role" text NOT NULL,
        "host" text NOT NULL,
        "pid" integer NOT NULL,
        "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "heartbeat_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_gateway_replica" PRIMARY KEY ("boot_id")
      )`);
    await q.query(`
      ALTER TABLE "credit_reservation"
        ADD "boot_id" uuid,
        ADD "api_key_id" uuid,
        ADD "user_id" uuid,
        ADD "model" text,
        ADD "provider" text,
        ADD "upstream_model" text,
        ADD "surface" text,
        ADD "stream" boolean,
        ADD "started_at" TIMESTAMP WITH TIME ZONE,
        ADD "reached_upstream_at" TIMESTAMP WITH TIME ZONE,
        ADD "progress_at" TIMESTAMP WITH TIME ZONE,
        ADD "input_tokens" integer,
        ADD "output_tokens" integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX "IDX_credit_reservation_boot_id" ON "credit_reservation" ("boot_id")`);
    await q.query(RESERVE_FUNCTION_V2);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP FUNCTION gw_reserve_credits_v2(uuid, text, bigint, double precision, uuid, uuid, uuid, text, text, text, text, boolean, integer, timestamptz)`,
    );
    await q.query(`DROP INDEX "IDX_credit_reservation_boot_id"`);
    await q.query(`
      ALTER TABLE "credit_reservation"
        DROP COLUMN "boot_id", DROP COLUMN "api_key_id", DROP COLUMN "user_id", DROP COLUMN "model", DROP COLUMN "provider",
        DROP COLUMN "upstream_model", DROP COLUMN "surface", DROP COLUMN "stream", DROP COLUMN "started_at",
        DROP COLUMN "reached_upstream_at", DROP COLUMN "progress_at", DROP COLUMN "input_tokens", DROP COLUMN "output_tokens"`);
    await q.query(`DROP TABLE "gateway_replica"`);
  }
}
