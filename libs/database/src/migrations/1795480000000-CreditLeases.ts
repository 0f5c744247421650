import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credit leases (issue 12). A replica holds a chunk of an organisation's credits as one `credit_reservation` row
 * (`lease = true`, request id `lease:<uuid>`, its boot id) and grants calls from it in memory, so most calls send no
 * reservation at all. Being a reservation row, a lease is counted by every reader of "balance − held" (every
 * reservation function, of this release and earlier ones, and the balance endpoint), so it can never be granted twice.
 *
 * - `gw_credit_lease_take` grows a lease (creating it when `p_create`) by `min(p_want, available)` under the
 *   organisation's admission lock, or by nothing below `p_floor`. `held` is the lease after it; NULL when the lease is
 *   gone and `p_create` is false (the replica then starts a new one: what it granted from the old one is no longer held).
 * - `gw_credit_lease_carve` moves the hold of calls still in flight out of the lease into rows of their own, with the
 *   facts crash recovery needs (as `gw_reserve_credits_batch` records them), at the replica's progress checkpoint.
 *   Locks the lease row first, so it serialises with a settlement of the same lease; skips a call already in the
 *   ledger and never moves more than the lease holds.
 * - `gw_credit_lease_return` gives back credits the replica will not grant (idle, or shutting down).
 *
 * - `gw_settle_usage` is the ledger's settlement (it was a statement of LedgerRepository's): a settled call that was never
 *   carved lowers its lease by what it was charged, with its ledger row, so a redelivery lowers nothing; the rest of
 *   its grant stays in the lease for the replica to grant again. Leases of dead boots are released by the
 * orphan sweeper once none of their settlements is queued; they are never settled as calls.
 */
const TAKE = `
CREATE FUNCTION gw_credit_lease_take(p_org uuid, p_lease text, p_boot uuid, p_want bigint, p_floor bigint, p_ttl_ms double precision,
                                     p_create boolean)
RETURNS TABLE (available bigint, granted bigint, held bigint) LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_avail bigint;
  v_grant bigint;
  v_held bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_org::text, 7702));
  SELECT r.credits INTO v_held FROM credit_reservation r WHERE r.request_id = p_lease AND r.lease AND r.org_id = p_org AND r.boot_id = p_boot;
  IF v_held IS NULL AND NOT p_create THEN
    available := NULL; granted := 0; held := NULL;
    RETURN NEXT;
    RETURN;
  END IF;
  SELECT GREATEST(a.balance - COALESCE((SELECT sum(r.credits) FROM credit_reservation r WHERE r.org_id = p_org), 0), 0)
    INTO v_avail FROM credit_account a WHERE a.org_id = p_org;
  v_avail := COALESCE(v_avail, 0);
  v_grant := LEAST(GREATEST(p_want, 0), v_avail);
  IF v_grant < GREATEST(p_floor, 1) THEN v_grant := 0; END IF;
  IF v_held IS NULL THEN
    IF v_grant > 0 THEN
      INSERT INTO credit_reservation (request_id, org_id, credits, expires_at, boot_id, lease)
      VALUES (p_lease, p_org, v_grant, now() + make_interval(secs => p_ttl_ms / 1000), p_boot, true)
      ON CONFLICT (request_id) DO NOTHING;
      IF NOT FOUND THEN v_grant := 0; ELSE v_held := v_grant; END IF;
    END IF;
  ELSE
    UPDATE credit_reservation SET credits = credits + v_grant, expires_at = now() + make_interval(secs => p_ttl_ms / 1000)
     WHERE request_id = p_lease;
    v_held := v_held + v_grant;
  END IF;
  available := v_avail; granted := v_grant; held := COALESCE(v_held, 0);
  RETURN NEXT;
END
$fn$`;

const CARVE = `
CREATE FUNCTION gw_credit_lease_carve(p_lease text, p_ttl_ms double precision, p_requests text[], p_credits bigint[],
  p_api_keys uuid[], p_users uuid[], p_models text[], p_providers text[], p_upstream_models text[], p_surfaces text[],
  p_streams boolean[], p_input_tokens integer[], p_started_at timestamptz[])
RETURNS TABLE (request_id text) LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_org uuid;
  v_boot uuid;
  v_held bigint;
  v_ids text[];
  v_moved bigint;
BEGIN
  SELECT r.org_id, r.boot_id, r.credits INTO v_org, v_boot, v_held
    FROM credit_reservation r WHERE r.request_id = p_lease AND r.lease FOR UPDATE;
  IF NOT FOUND THEN RETURN; END IF;
  WITH asked AS (
    SELECT k, p_requests[k] AS id, p_credits[k] AS credits,
           sum(p_credits[k]) OVER (ORDER BY k) AS running
      FROM generate_series(1, COALESCE(cardinality(p_requests), 0)) AS k
     WHERE p_credits[k] >= 1 AND NOT EXISTS (SELECT 1 FROM credit_ledger l WHERE l.entry_id = p_requests[k])
  ), ins AS (
    INSERT INTO credit_reservation (request_id, org_id, credits, expires_at, boot_id, api_key_id, user_id, model, provider,
                                    upstream_model, surface, stream, input_tokens, started_at)
    SELECT a.id, v_org, a.credits, now() + make_interval(secs => p_ttl_ms / 1000), v_boot, p_api_keys[a.k], p_users[a.k],
           p_models[a.k], p_providers[a.k], p_upstream_models[a.k], p_surfaces[a.k], p_streams[a.k], p_input_tokens[a.k],
           p_started_at[a.k]
      FROM asked a WHERE a.running <= v_held ORDER BY a.k
    ON CONFLICT DO NOTHING
    RETURNING credit_reservation.request_id, credit_reservation.credits
  )
  SELECT array_agg(ins.request_id), COALESCE(sum(ins.credits), 0) INTO v_ids, v_moved FROM ins;
  IF v_moved > 0 THEN
    UPDATE credit_reservation SET credits = credits - v_moved WHERE credit_reservation.request_id = p_lease;
  END IF;
  RETURN QUERY SELECT unnest(COALESCE(v_ids, '{}'::text[]));
END
$fn$`;

const RETURN_FN = `
CREATE FUNCTION gw_credit_lease_return(p_lease text, p_credits bigint)
RETURNS bigint LANGUAGE sql VOLATILE AS $fn$
  UPDATE credit_reservation SET credits = GREATEST(credits - GREATEST(p_credits, 0), 0)
   WHERE request_id = p_lease AND lease
  RETURNING credits
$fn$`;

/**
 * Settles a batch of usage entries (LedgerRepository): ledger rows, reservations released, balances moved, and a lease
 * shrunk by what its uncarved calls were charged. The leases named are locked first, in their own statement (a fresh
 * snapshot for the rest): a carve of one of them (which locks it too) either committed before, and its rows are
 * deleted here, or runs after, and skips the calls now in the ledger. One round trip, one transaction.
 */
const SETTLE = `
CREATE FUNCTION gw_settle_usage(p_entries text[], p_orgs uuid[], p_api_keys uuid[], p_users uuid[], p_models text[],
  p_input_tokens integer[], p_output_tokens integer[], p_credits bigint[], p_costs numeric[], p_occurred_at timestamptz[],
  p_leases text[])
RETURNS void LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_leases text[];
BEGIN
  SELECT array_agg(DISTINCT l ORDER BY l) INTO v_leases FROM unnest(p_leases) AS l WHERE l IS NOT NULL;
  IF v_leases IS NOT NULL THEN
    PERFORM 1 FROM credit_reservation r WHERE r.request_id = ANY (v_leases) AND r.lease ORDER BY r.request_id FOR UPDATE;
  END IF;
  WITH input AS (
    SELECT * FROM unnest(p_entries, p_orgs, p_api_keys, p_users, p_models, p_input_tokens, p_output_tokens, p_credits, p_costs,
                         p_occurred_at, p_leases)
      AS t(entry_id, org_id, api_key_id, user_id, model, input_tokens, output_tokens, credits, cost_usd, occurred_at, lease_id)
  ), ins AS (
    INSERT INTO credit_ledger (entry_id, kind, org_id, api_key_id, user_id, model, input_tokens, output_tokens, credits, cost_usd, occurred_at)
    SELECT i.entry_id, 'usage', i.org_id, i.api_key_id, i.user_id, i.model, i.input_tokens, i.output_tokens, -i.credits, i.cost_usd, i.occurred_at
      FROM input i WHERE i.credits > 0
    ON CONFLICT (entry_id) DO NOTHING
    RETURNING credit_ledger.entry_id, credit_ledger.org_id, -credit_ledger.credits AS used
  ), rel AS (
    DELETE FROM credit_reservation r USING input i WHERE r.request_id = i.entry_id AND NOT r.lease RETURNING r.request_id
  ), lease_use AS (
    SELECT i.lease_id, sum(ins.used) AS used FROM ins JOIN input i ON i.entry_id = ins.entry_id
     WHERE i.lease_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM rel WHERE rel.request_id = ins.entry_id)
     GROUP BY i.lease_id
  ), lease_upd AS (
    UPDATE credit_reservation r SET credits = GREATEST(r.credits - u.used, 0) FROM lease_use u WHERE r.request_id = u.lease_id AND r.lease
  ), delta AS (
    SELECT ins.org_id, sum(ins.used) AS used FROM ins GROUP BY ins.org_id
  )
  UPDATE credit_account a SET balance = a.balance - d.used, updated_at = now() FROM delta d WHERE a.org_id = d.org_id;
END
$fn$`;

const SETTLE_ARGS =
  'text[], uuid[], uuid[], uuid[], text[], integer[], integer[], bigint[], numeric[], timestamptz[], text[]';

const CARVE_ARGS =
  'text, double precision, text[], bigint[], uuid[], uuid[], text[], text[], text[], text[], boolean[], integer[], timestamptz[]';

export class CreditLeases1795480000000 implements MigrationInterface {
  name = 'CreditLeases1795480000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "credit_reservation" ADD "lease" boolean NOT NULL DEFAULT false`);
    await q.query(TAKE);
    await q.query(CARVE);
    await q.query(RETURN_FN);
    await q.query(SETTLE);
    // As the batch function (ReserveIndexScan): equality lookups only, which a plain index scan serves.
    await q.query(`ALTER FUNCTION gw_credit_lease_take(uuid, text, uuid, bigint, bigint, double precision, boolean) SET enable_bitmapscan = off`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION gw_settle_usage(${SETTLE_ARGS})`);
    await q.query(`DROP FUNCTION gw_credit_lease_return(text, bigint)`);
    await q.query(`DROP FUNCTION gw_credit_lease_carve(${CARVE_ARGS})`);
    await q.query(`DROP FUNCTION gw_credit_lease_take(uuid, text, uuid, bigint, bigint, double precision, boolean)`);
    await q.query(`ALTER TABLE "credit_reservation" DROP COLUMN "lease"`);
  }
}
