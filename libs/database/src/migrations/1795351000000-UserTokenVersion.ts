import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 8, revocation: each user gets a token version. Login tokens carry it as the `ver` claim and
 * are accepted only while it equals the row's; a password change, a disable or a role change bumps
 * it, which ends every token issued before (replicas learn it through NOTIFY, see libs/identity).
 */
export class UserTokenVersion1795351000000 implements MigrationInterface {
  name = 'UserTokenVersion1795351000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "app_user" ADD "token_version" integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "app_user" DROP COLUMN "token_version"`);
  }
}
