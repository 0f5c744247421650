import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored policies (issue 9): `policy` is the org-scoped head of a policy (its slug id, latest version, a
 * tombstone), `policy_version` its immutable versions, the document kept as saved. The (org_id, policy_id)
 * primary key is the per-org uniqueness, the keyset of the list, and the row the writers lock (an upsert's
 * ON CONFLICT takes it), so concurrent saves get consecutive versions. A deleted policy keeps its head row
 * (`deleted_at`) so its versions stay readable for audit and a re-creation continues the numbering.
 * `created_by` has no foreign key: deleting a user must not rewrite (or lose) who saved a version.
 * A trigger refuses UPDATE of a version row; rows go only with their organisation (ON DELETE CASCADE).
 */
export class CreatePolicies1795360000000 implements MigrationInterface {
  name = 'CreatePolicies1795360000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "policy" (
        "org_id" uuid NOT NULL,
        "policy_id" text NOT NULL,
        "name" text,
        "latest_version" integer NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "deleted_at" TIMESTAMP WITH TIME ZONE,
        "created_by" uuid,
        CONSTRAINT "PK_policy" PRIMARY KEY ("org_id", "policy_id"),
        CONSTRAINT "CHK_policy_policy_id" CHECK ("policy_id" ~ '^[a-z0-9][a-z0-9_.-]{0,127}$'),
        CONSTRAINT "CHK_policy_latest_version" CHECK ("latest_version" >= 1),
        CONSTRAINT "FK_policy_org_id" FOREIGN KEY ("org_id") REFERENCES "organization"("id") ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE "policy_version" (
        "org_id" uuid NOT NULL,
        "policy_id" text NOT NULL,
        "version" integer NOT NULL,
        "document" jsonb NOT NULL,
        "generation" smallint NOT NULL,
        "name" text,
        "size_bytes" integer NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "created_by" uuid,
        CONSTRAINT "PK_policy_version" PRIMARY KEY ("org_id", "policy_id", "version"),
        CONSTRAINT "CHK_policy_version_version" CHECK ("version" >= 1),
        CONSTRAINT "CHK_policy_version_generation" CHECK ("generation" IN (1, 2)),
        CONSTRAINT "FK_policy_version_policy" FOREIGN KEY ("org_id", "policy_id") REFERENCES "policy"("org_id", "policy_id") ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE FUNCTION gw_policy_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION 'policy_version rows are immutable (save a new version instead)' USING ERRCODE = 'restrict_violation';
      END
      $fn$`);
    await q.query(`
      CREATE TRIGGER "TRG_policy_version_immutable" BEFORE UPDATE ON "policy_version"
        FOR EACH ROW EXECUTE FUNCTION gw_policy_version_immutable()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "policy_version"`);
    await q.query(`DROP FUNCTION gw_policy_version_immutable()`);
    await q.query(`DROP TABLE "policy"`);
  }
}
