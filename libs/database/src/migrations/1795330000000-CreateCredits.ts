import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each statement of a VOLATILE plpgsql function takes a new snapshot: the read below sees every reservation committed before the lock. */
const RESERVE_FUNCTION = `
CREATE FUNCTION gw_reserve_credits(p_org uuid, p_request text, p_wanted bigint, p_ttl_ms double precision)
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
    INSERT INTO credit_reservation (request_id, org_id, credits, expires_at)
    VALUES (p_request, p_org, v_grant, now() + make_interval(secs => p_ttl_ms / 1000))
    ON CONFLICT (request_id) DO NOTHING;
    IF FOUND THEN granted := v_grant; END IF;
  END IF;
  RETURN NEXT;
END
$fn$`;

/**
 * Credits: one account row per organisation (balance = sum of its ledger), one reservation row per
 * call in flight (reserved = their sum), the append-only ledger whose UNIQUE entry_id (the request
 * id for usage) makes a redelivered billing job harmless, and `gw_reserve_credits`, the one-round-trip
 * admission: it serialises an organisation's reservations on an advisory lock (not on the account
 * row, which settlement holds through its fsync) and reads balance and reservations in one snapshot
 * taken after the lock. The CHECK is the last line of "the balance never goes below zero".
 */
export class CreateCredits1795330000000 implements MigrationInterface {
  name = 'CreateCredits1795330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "credit_account" (
        "org_id" uuid NOT NULL,
        "balance" bigint NOT NULL DEFAULT '0',
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "CHK_credit_account_balance" CHECK ("balance" >= 0),
        CONSTRAINT "PK_credit_account" PRIMARY KEY ("org_id")
      )`);
    await q.query(`
      CREATE TABLE "credit_reservation" (
        "request_id" text NOT NULL,
        "org_id" uuid NOT NULL,
        "credits" bigint NOT NULL,
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_credit_reservation" PRIMARY KEY ("request_id")
      )`);
    await q.query(`CREATE INDEX "IDX_credit_reservation_expires_at" ON "credit_reservation" ("expires_at")`);
    await q.query(`CREATE INDEX "IDX_credit_reservation_org_id" ON "credit_reservation" ("org_id")`);
    await q.query(`
      CREATE TABLE "credit_ledger" (
        "id" BIGSERIAL NOT NULL,
        "entry_id" text NOT NULL,
        "kind" text NOT NULL,
        "org_id" uuid NOT NULL,
        "api_key_id" uuid,
        "user_id" uuid,
        "model" text,
        "input_tokens" integer NOT NULL DEFAULT '0',
        "output_tokens" integer NOT NULL DEFAULT '0',
        "credits" bigint NOT NULL,
        "cost_usd" numeric(18,9) NOT NULL DEFAULT '0',
        "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_credit_ledger_entry_id" UNIQUE ("entry_id"),
        CONSTRAINT "CHK_credit_ledger_kind" CHECK ("kind" IN ('usage', 'grant', 'adjustment')),
        CONSTRAINT "PK_credit_ledger" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "IDX_credit_ledger_org_occurred" ON "credit_ledger" ("org_id", "occurred_at")`);
    await q.query(RESERVE_FUNCTION);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION gw_reserve_credits(uuid, text, bigint, double precision)`);
    await q.query(`DROP INDEX "IDX_credit_ledger_org_occurred"`);
    await q.query(`DROP TABLE "credit_ledger"`);
    await q.query(`DROP INDEX "IDX_credit_reservation_org_id"`);
    await q.query(`DROP INDEX "IDX_credit_reservation_expires_at"`);
    await q.query(`DROP TABLE "credit_reservation"`);
    await q.query(`DROP TABLE "credit_account"`);
  }
}
