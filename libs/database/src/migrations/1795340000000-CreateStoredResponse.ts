import type { MigrationInterface, QueryRunner } from 'typeorm';

/** stored_response: Responses API answers kept for `previous_response_id` (`store: true`), with an expiry. */
export class CreateStoredResponse1795340000000 implements MigrationInterface {
  name = 'CreateStoredResponse1795340000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "stored_response" (
        "id" text NOT NULL,
        "org_id" uuid NOT NULL,
        "model" text NOT NULL,
        "history" jsonb NOT NULL,
        "response" jsonb NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
        CONSTRAINT "PK_stored_response" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "IDX_stored_response_expires_at" ON "stored_response" ("expires_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "stored_response"`);
  }
}
