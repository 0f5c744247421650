import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity: organization, app_user, api_key. Generated from the identity entities, then reviewed:
 * api_key.key_hash (SHA-256 of the plaintext) is UNIQUE and is the authentication lookup index;
 * (org_id) and (user_id) serve the per-organisation and per-user key listings; app_user.email is
 * stored lower-cased and UNIQUE (login is by email alone). gen_random_uuid() is built into PG 13+.
 */
export class CreateIdentity1795327560750 implements MigrationInterface {
  name = 'CreateIdentity1795327560750';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "organization" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "name" text NOT NULL,
        "rate_limit_per_minute" integer,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_organization" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`
      CREATE TABLE "app_user" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "email" text NOT NULL,
        "password_hash" text NOT NULL,
        "role" text NOT NULL,
        "disabled" boolean NOT NULL DEFAULT false,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "UQ_app_user_email" UNIQUE ("email"),
        CONSTRAINT "CHK_app_user_role" CHECK ("role" IN ('owner', 'admin', 'auditor', 'member')),
        CONSTRAINT "PK_app_user" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_app_user_org_id" ON "app_user" ("org_id")`);
    await queryRunner.query(`
      CREATE TABLE "api_key" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "org_id" uuid NOT NULL,
        "user_id" uuid,
        "label" text NOT NULL,
        "key_hash" bytea NOT NULL,
        "key_preview" text NOT NULL,
        "rate_limit_per_minute" integer,
        "expires_at" TIMESTAMP WITH TIME ZONE,
        "revoked_at" TIMESTAMP WITH TIME ZONE,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "last_used_at" TIMESTAMP WITH TIME ZONE,
        CONSTRAINT "UQ_api_key_key_hash" UNIQUE ("key_hash"),
        CONSTRAINT "PK_api_key" PRIMARY KEY ("id")
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_api_key_org_id" ON "api_key" ("org_id")`);
    await queryRunner.query(`CREATE INDEX "IDX_api_key_user_id" ON "api_key" ("user_id")`);
    await queryRunner.query(
      `ALTER TABLE "app_user" ADD CONSTRAINT "FK_app_user_org_id" FOREIGN KEY ("org_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_key" ADD CONSTRAINT "FK_api_key_org_id" FOREIGN KEY ("org_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_key" ADD CONSTRAINT "FK_api_key_user_id" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "api_key"`);
    await queryRunner.query(`DROP TABLE "app_user"`);
    await queryRunner.query(`DROP TABLE "organization"`);
  }
}
