import type { MigrationInterface, QueryRunner } from 'typeorm';

/** free_tier_claim: devices (hashed IP + User-Agent) that used their one anonymous request. */
export class CreateFreeTierClaim1795331000000 implements MigrationInterface {
  name = 'CreateFreeTierClaim1795331000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "free_tier_claim" (
        "device_hash" text NOT NULL,
        "claimed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_free_tier_claim" PRIMARY KEY ("device_hash")
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "free_tier_claim"`);
  }
}
