import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10: projects and project keys, rollout state, revision history, the Gen-1 `config` pointer.
 *
 * - `project`: org-scoped, readable slug id (`proj_support_bot`), the policy it links (no foreign key: the policy
 *   may be deleted later; the link is checked on write and at resolution), budgets as validated jsonb, and
 *   `revision` (the ETag; +1 per change). The (org_id, project_id) key is the per-org uniqueness.
 * - `api_key.project_id`: a key belongs to at most one project (of its own organisation: the composite foreign
 *   key makes a cross-org binding impossible); a referenced project cannot be deleted (RESTRICT), only disabled.
 * - `policy_rollout`: one row per policy that ever left its configured rollout: `override` 'rollback' while an
 *   auto or manual rollback holds it in shadow (`until` NULL: until resumed), and `epoch`, bumped at every
 *   transition, which keys the decision counters so a restored policy starts counting afresh.
 * - `policy_history`: revision entries (policy, project, key, config, rollout changes) with who and before/after.
 *   Append-only (a trigger refuses UPDATE); enforcement entries are read from `audit_event`.
 * - `policy_gateway_config`: which stored policy is the organisation's Gen-1 `config`.
 */
export class ProjectsRolloutHistory1795370000000 implements MigrationInterface {
  name = 'ProjectsRolloutHistory1795370000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "project" (
        "org_id" uuid NOT NULL,
        "project_id" text NOT NULL,
        "name" text NOT NULL,
        "description" text,
        "status" text NOT NULL DEFAULT 'active',
        "policy_id" text,
        "budget" jsonb,
        "user_quota" jsonb,
        "web_tools" jsonb,
        "revision" integer NOT NULL DEFAULT 1,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "created_by" uuid,
        CONSTRAINT "PK_project" PRIMARY KEY ("org_id", "project_id"),
        CONSTRAINT "CHK_project_project_id" CHECK ("project_id" ~ '^proj_[a-z0-9][a-z0-9_]{0,62}$'),
        CONSTRAINT "CHK_project_status" CHECK ("status" IN ('active', 'disabled')),
        CONSTRAINT "FK_project_org_id" FOREIGN KEY ("org_id") REFERENCES "organization"("id") ON DELETE CASCADE
      )`);
    await q.query(`ALTER TABLE "api_key" ADD COLUMN "project_id" text`);
    await q.query(`
      ALTER TABLE "api_key" ADD CONSTRAINT "FK_api_key_project"
        FOREIGN KEY ("org_id", "project_id") REFERENCES "project"("org_id", "project_id") ON DELETE RESTRICT`);
    await q.query(`CREATE INDEX "IDX_api_key_project" ON "api_key" ("org_id", "project_id") WHERE "project_id" IS NOT NULL`);

    await q.query(`
      CREATE TABLE "policy_rollout" (
        "org_id" uuid NOT NULL,
        "policy_id" text NOT NULL,
        "override" text,
        "epoch" integer NOT NULL DEFAULT 0,
        "reason" text,
        "since" TIMESTAMP WITH TIME ZONE,
        "until" TIMESTAMP WITH TIME ZONE,
        "triggered_by" text,
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_policy_rollout" PRIMARY KEY ("org_id", "policy_id"),
        CONSTRAINT "CHK_policy_rollout_override" CHECK ("override" IS NULL OR "override" = 'rollback'),
        CONSTRAINT "FK_policy_rollout_policy" FOREIGN KEY ("org_id", "policy_id") REFERENCES "policy"("org_id", "policy_id") ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE "policy_history" (
        "id" bigserial NOT NULL,
        "org_id" uuid NOT NULL,
        "type" text NOT NULL DEFAULT 'revision',
        "edit_type" text NOT NULL,
        "policy_id" text,
        "policy_version" integer,
        "project_id" text,
        "actor_kind" text NOT NULL,
        "actor_id" text,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "before" jsonb,
        "after" jsonb,
        "details" jsonb,
        CONSTRAINT "PK_policy_history" PRIMARY KEY ("id"),
        CONSTRAINT "CHK_policy_history_actor_kind" CHECK ("actor_kind" IN ('user', 'api_key', 'system')),
        CONSTRAINT "FK_policy_history_org_id" FOREIGN KEY ("org_id") REFERENCES "organization"("id") ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX "IDX_policy_history_org_created" ON "policy_history" ("org_id", "created_at" DESC, "id" DESC)`);
    await q.query(`CREATE INDEX "IDX_policy_history_org_policy" ON "policy_history" ("org_id", "policy_id", "id" DESC)`);
    await q.query(`
      CREATE FUNCTION gw_policy_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION 'policy_history rows are append-only' USING ERRCODE = 'restrict_violation';
      END
      $fn$`);
    await q.query(`
      CREATE TRIGGER "TRG_policy_history_append_only" BEFORE UPDATE ON "policy_history"
        FOR EACH ROW EXECUTE FUNCTION gw_policy_history_append_only()`);

    await q.query(`
      CREATE TABLE "policy_gateway_config" (
        "org_id" uuid NOT NULL,
        "policy_id" text NOT NULL,
        "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "PK_policy_gateway_config" PRIMARY KEY ("org_id"),
        CONSTRAINT "FK_policy_gateway_config_org_id" FOREIGN KEY ("org_id") REFERENCES "organization"("id") ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "policy_gateway_config"`);
    await q.query(`DROP TABLE "policy_history"`);
    await q.query(`DROP FUNCTION gw_policy_history_append_only()`);
    await q.query(`DROP TABLE "policy_rollout"`);
    await q.query(`DROP INDEX "IDX_api_key_project"`);
    await q.query(`ALTER TABLE "api_key" DROP CONSTRAINT "FK_api_key_project"`);
    await q.query(`ALTER TABLE "api_key" DROP COLUMN "project_id"`);
    await q.query(`DROP TABLE "project"`);
  }
}
