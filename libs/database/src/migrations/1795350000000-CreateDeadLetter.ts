import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * dead_letter: records a queue writer could not store even on their own (a NUL in a text column, a
 * number out of range, an invalid payload...), kept instead of being dropped. One row per
 * (queue, record_key); a record dead-lettered again bumps `failures` (upsert in `DeadLetterStore`).
 * `payload` is the job's data, sanitised (NUL and lone surrogates replaced) so the insert cannot fail;
 * `error_message` is a template without values. `replayed_at` is set when an operator re-enqueues it.
 * The partial index serves the operator's "what is still open" query and the health counts.
 */
export class CreateDeadLetter1795350000000 implements MigrationInterface {
  name = 'CreateDeadLetter1795350000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "dead_letter" (
        "id" BIGSERIAL NOT NULL,
        "queue" text NOT NULL,
        "record_key" text NOT NULL,
        "job_id" text,
        "job_name" text,
        "payload" jsonb NOT NULL,
        "error_code" text NOT NULL,
        "error_message" text NOT NULL,
        "attempts" integer NOT NULL DEFAULT 1,
        "failures" integer NOT NULL DEFAULT 1,
        "first_failed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_failed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "replayed_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "UQ_dead_letter_queue_record_key" UNIQUE ("queue", "record_key"),
        CONSTRAINT "PK_dead_letter" PRIMARY KEY ("id")
      )`);
    await q.query(`CREATE INDEX "IDX_dead_letter_open" ON "dead_letter" ("queue", "first_failed_at") WHERE "replayed_at" IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_dead_letter_open"`);
    await q.query(`DROP TABLE "dead_letter"`);
  }
}
