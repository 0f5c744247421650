import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credits: one account row per organisation (balance = sum of its ledger; reserved = credits held by
 * calls in flight), one reservation row per call in flight, and the append-only ledger whose UNIQUE
 * entry_id (the request id for usage) makes a redelivered billing job harmless. The CHECKs are the
 * last line of the "balance never goes below zero" guarantee.
 */
export class CreateCredits1795330000000 implements MigrationInterface {
  name = 'CreateCredits1795330000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "credit_account" (
        "org_id" uuid NOT NULL,
        "balance" bigint NOT NULL DEFAULT '0',
        "reserved" bigint NOT NULL DEFAULT '0',
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "CHK_credit_account_balance" CHECK ("balance" >= 0),
        CONSTRAINT "CHK_credit_account_reserved" CHECK ("reserved" >= 0),
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_credit_ledger_org_occurred"`);
    await q.query(`DROP TABLE "credit_ledger"`);
    await q.query(`DROP INDEX "IDX_credit_reservation_expires_at"`);
    await q.query(`DROP TABLE "credit_reservation"`);
    await q.query(`DROP TABLE "credit_account"`);
  }
}
