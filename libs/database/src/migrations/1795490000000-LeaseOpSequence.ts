import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotent lease takes and returns (issue 12). A take or return whose connection broke with the query out may or
 * may not have committed; the replica then had to assume the outcome that holds more, and the credits in doubt stayed
 * held, unused, until its boot ended (weeks, for a long-lived replica; up to 1/8 of the organisation's balance).
 *
 * Each lease row now remembers the sequence number of the last take or return applied to it (`lease_seq`) and what
 * that take granted (`lease_granted`). The replica numbers its operations per lease, issues one at a time, and sends
 * an operation whose outcome is unknown again, with the same number, before any other: the function applies it if
 * it did not commit, or answers what it did if it did. So every outcome is known after one more round trip.
 *
 * The new functions are overloads with a trailing `p_seq`; the two-argument return and seven-argument take of
 * migration 1795480000000 stay, unchanged, for replicas of the previous release during a rolling upgrade.
 * The columns are nullable without a default: adding them rewrites nothing, and per-call rows leave them NULL.
 */
const TAKE = `
CREATE FUNCTION gw_credit_lease_take(p_org uuid, p_lease text, p_boot uuid, p_want bigint, p_floor bigint, p_ttl_ms double precision,
                                     p_create boolean, p_seq bigint)
RETURNS TABLE (available bigint, granted bigint, held bigint) LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_avail bigint;
  v_grant bigint;
  v_held bigint;
  v_seq bigint;
  v_done bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(p_org::text, 7702));
  SELECT r.credits, r.lease_seq, r.lease_granted INTO v_held, v_seq, v_done
    FROM credit_reservation r WHERE r.request_id = p_lease AND r.lease AND r.org_id = p_org AND r.boot_id = p_boot;
  IF v_held IS NULL AND NOT p_create THEN
    available := NULL; granted := 0; held := NULL;
    RETURN NEXT;
    RETURN;
  END IF;
  SELECT GREATEST(a.balance - COALESCE((SELECT sum(r.credits) FROM credit_reservation r WHERE r.org_id = p_org), 0), 0)
    INTO v_avail FROM credit_account a WHERE a.org_id = p_org;
  v_avail := COALESCE(v_avail, 0);
  IF v_seq IS NOT DISTINCT FROM p_seq THEN
    -- This take again (its answer was lost): what it granted then, and the organisation as it is now.
    available := v_avail + COALESCE(v_done, 0); granted := COALESCE(v_done, 0); held := v_held;
    RETURN NEXT;
    RETURN;
  END IF;
  v_grant := LEAST(GREATEST(p_want, 0), v_avail);
  IF v_grant < GREATEST(p_floor, 1) THEN v_grant := 0; END IF;
  IF v_held IS NULL THEN
    IF v_grant > 0 THEN
      INSERT INTO credit_reservation (request_id, org_id, credits, expires_at, boot_id, lease, lease_seq, lease_granted)
      VALUES (p_lease, p_org, v_grant, now() + make_interval(secs => p_ttl_ms / 1000), p_boot, true, p_seq, v_grant)
      ON CONFLICT (request_id) DO NOTHING;
      IF NOT FOUND THEN v_grant := 0; ELSE v_held := v_grant; END IF;
    END IF;
  ELSE
    UPDATE credit_reservation SET credits = credits + v_grant, expires_at = now() + make_interval(secs => p_ttl_ms / 1000),
                                  lease_seq = p_seq, lease_granted = v_grant
     WHERE request_id = p_lease;
    v_held := v_held + v_grant;
  END IF;
  available := v_avail; granted := v_grant; held := COALESCE(v_held, 0);
  RETURN NEXT;
END
$fn$`;

/** Gives back `p_credits` once per `p_seq`: a return sent again after a lost answer changes nothing more. */
const RETURN_FN = `
CREATE FUNCTION gw_credit_lease_return(p_lease text, p_credits bigint, p_seq bigint)
RETURNS bigint LANGUAGE sql VOLATILE AS $fn$
  UPDATE credit_reservation
     SET credits = CASE WHEN lease_seq IS NOT DISTINCT FROM p_seq THEN credits ELSE GREATEST(credits - GREATEST(p_credits, 0), 0) END,
         lease_seq = p_seq, lease_granted = 0
   WHERE request_id = p_lease AND lease
  RETURNING credits
$fn$`;

const TAKE_ARGS = 'uuid, text, uuid, bigint, bigint, double precision, boolean, bigint';

export class LeaseOpSequence1795490000000 implements MigrationInterface {
  name = 'LeaseOpSequence1795490000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "credit_reservation" ADD "lease_seq" bigint, ADD "lease_granted" bigint`);
    await q.query(TAKE);
    await q.query(RETURN_FN);
    await q.query(`ALTER FUNCTION gw_credit_lease_take(${TAKE_ARGS}) SET enable_bitmapscan = off`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION gw_credit_lease_return(text, bigint, bigint)`);
    await q.query(`DROP FUNCTION gw_credit_lease_take(${TAKE_ARGS})`);
    await q.query(`ALTER TABLE "credit_reservation" DROP COLUMN "lease_granted", DROP COLUMN "lease_seq"`);
  }
}
