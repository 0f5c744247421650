import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Group admission (issue 12). `gw_reserve_credits_v2` takes an organisation's advisory lock once per call, so
 * every reservation of one busy organisation serialised on one lock hold and one round trip each: the whole
 * gateway capped near one reservation per lock hold, whatever the hardware. This function reserves for a batch
 * of calls of one organisation under one lock hold: it reads balance − held once, grants the calls in array
 * order (each `min(wanted, available)`, 0 below one credit; what one grant takes, the next cannot), and inserts
 * their rows with one statement. A request id already held (or repeated in the batch) is granted 0, as the
 * single-call function does. Each call keeps its own row with its boot and facts, so crash recovery, settlement
 * and the TTL sweep are unchanged. Returns one row per call: its 1-based position, the credits available before
 * its grant, and its grant. The v1 and v2 functions stay for replicas of earlier releases (rolling upgrade).
 */
const RESERVE_BATCH_FUNCTION = `
CREATE FUNCTION gw_reserve_credits_batch(
  p_org uuid, p_ttl_ms double precision, p_boot uuid, p_requests text[], p_wanted bigint[],
  p_api_keys uuid[], p_users uuid[], p_models text[], p_providers text[], p_upstream_models text[],
  p_surfaces text[], p_streams boolean[], p_input_tokens integer[], p_started_at timestamptz[])
RETURNS TABLE (ord integer, available bigint, granted bigint) LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_avail bigint;
  v_grants bigint[] := '{}';
  v_before bigint[] := '{}';
  v_inserted text[];
  v_seen text[] := '{}';
  v_n integer := COALESCE(cardinality(p_requests), 0);
  v_g bigint;
  i integer;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_org::text, 7702));
  SELECT GREATEST(a.balance - COALESCE((SELECT sum(r.credits) FROM credit_reservation r WHERE r.org_id = p_org), 0), 0)
    INTO v_avail FROM credit_account a WHERE a.org_id = p_org;
  v_avail := COALESCE(v_avail, 0);
  FOR i IN 1..v_n LOOP
    v_before[i] := v_avail;
    v_g := LEAST(GREATEST(p_wanted[i], 1), v_avail);
    IF v_g < 1 THEN v_g := 0; END IF;
    v_grants[i] := v_g;
    v_avail := v_avail - v_g;
  END LOOP;
  WITH ins AS (
    INSERT INTO credit_reservation (request_id, org_id, credits, expires_at, boot_id, api_key_id, user_id, model, provider,
                                    upstream_model, surface, stream, input_tokens, started_at)
    SELECT p_requests[k], p_org, v_grants[k], now() + make_interval(secs => p_ttl_ms / 1000), p_boot, p_api_keys[k], p_users[k],
           p_models[k], p_providers[k], p_upstream_models[k], p_surfaces[k], p_streams[k], p_input_tokens[k], p_started_at[k]
      FROM generate_series(1, v_n) AS k
     WHERE v_grants[k] >= 1
     ORDER BY k
    ON CONFLICT (request_id) DO NOTHING
    RETURNING request_id
  )
  SELECT array_agg(ins.request_id) INTO v_inserted FROM ins;
  FOR i IN 1..v_n LOOP
    ord := i;
    available := v_before[i];
    granted := 0;
    IF v_grants[i] >= 1 AND p_requests[i] = ANY (v_inserted) AND NOT (p_requests[i] = ANY (v_seen)) THEN
      granted := v_grants[i];
      v_seen := v_seen || p_requests[i];
    END IF;
    RETURN NEXT;
  END LOOP;
END
$fn$`;

export class ReserveCreditsBatch1795440000000 implements MigrationInterface {
  name = 'ReserveCreditsBatch1795440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(RESERVE_BATCH_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP FUNCTION gw_reserve_credits_batch(uuid, double precision, uuid, text[], bigint[], uuid[], uuid[], text[], text[], text[], text[], boolean[], integer[], timestamptz[])`,
    );
  }
}
