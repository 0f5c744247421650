import { ApiKeyRepository, ApiKeyService, ApiKeyEntity, AppUserEntity, bootstrapOrganization, toApiKeyInfo } from '@gw/identity';
import { ProjectRepository } from '@gw/policy';
import { grantCredits } from '@gw/metering';
import { runMigrations } from '@gw/database';
import { intArg, UsageError, type CliContext } from './cli-run';

type Result = Promise<{ ok: boolean; result: unknown }>;

/** `orgs create`: an organisation, its owner and an API key (key and password shown once, here). */
export async function orgsCreate(ctx: CliContext, o: { org?: string; email?: string; password?: string; credits?: string; ifEmpty?: boolean }): Result {
  if (!o.org || !o.email) throw new UsageError('--org and --email are required');
  const credits = o.credits === undefined ? undefined : intArg('credits', o.credits, 0);
  const { ds, url } = await ctx.db();
  if (ctx.config.env.MIGRATE_ON_START) await runMigrations(url);
  const result = await bootstrapOrganization(ds, {
    org: o.org,
    email: o.email,
    password: o.password,
    credits,
    ifEmpty: o.ifEmpty,
    grantCredits: ({ manager, orgId, userId, credits: n }) => grantCredits(manager, orgId, n, userId),
  });
  return { ok: true, result };
}

/** The CLI's entry in the project history (and so in the audit chain) when it creates or revokes a project key. */
const OPS_ACTOR = { kind: 'system' as const, id: 'ops-cli' };

/**
 * `keys create`: a key for the organisation's owner (or the user given by email), or with `projectId` a project key
 * (an organisation key bound to the project, as `POST /api/policy-gateway/projects/{id}/keys` makes); shown once.
 */
export async function keysCreate(ctx: CliContext, o: { orgId: string; label?: string; email?: string; projectId?: string }): Result {
  if (o.email && o.projectId) throw new UsageError('--email and --project-id exclude each other: a project key belongs to no user');
  const { ds } = await ctx.db();
  const label = o.label ?? 'ops-cli';
  if (o.projectId) {
    const { key, plaintext } = await new ProjectRepository(ds).createKey(o.orgId, o.projectId, label, OPS_ACTOR);
    return { ok: true, result: { api_key: { id: key.id, key: plaintext, preview: key.keyPreview, label: key.label }, organization_id: o.orgId, project_id: o.projectId } };
  }
  const users = ds.getRepository(AppUserEntity);
  const user = o.email
    ? await users.findOne({ where: { orgId: o.orgId, email: o.email.trim().toLowerCase() } })
    : await users.findOne({ where: { orgId: o.orgId, role: 'owner' }, order: { createdAt: 'ASC' } });
  if (!user) throw new Error(o.email ? `no user ${o.email} in organisation ${o.orgId}` : `organisation ${o.orgId} does not exist or has no owner`);
  const keys = new ApiKeyService(new ApiKeyRepository(ds.getRepository(ApiKeyEntity)));
  const { key, plaintext } = await keys.create({ orgId: o.orgId, userId: user.id, label });
  return { ok: true, result: { api_key: { id: key.id, key: plaintext, preview: key.keyPreview, label: key.label }, organization_id: o.orgId, user_id: user.id } };
}

/** `keys revoke`: idempotent; the key is refused everywhere at its next request (the NOTIFY feed). */
export async function keysRevoke(ctx: CliContext, keyId: string): Result {
  const { ds } = await ctx.db();
  const entities = ds.getRepository(ApiKeyEntity);
  const row = await entities.findOne({ where: { id: keyId } });
  if (!row) throw new Error(`no API key ${keyId}`);
  if (row.projectId) {
    // Through the project repository, as the control API does: the revocation lands in the project's history too.
    await new ProjectRepository(ds).revokeKey(row.orgId, row.projectId, keyId, OPS_ACTOR);
    return { ok: true, result: { api_key: toApiKeyInfo(await entities.findOneOrFail({ where: { id: keyId } })) } };
  }
  const keys = new ApiKeyService(new ApiKeyRepository(entities));
  const info = await keys.revoke({ orgId: row.orgId, userId: null, role: 'owner' }, keyId);
  return { ok: true, result: { api_key: info } };
}

/** `credits grant`: adds credits to an organisation's ledger; prints the new balance. */
export async function creditsGrant(ctx: CliContext, o: { orgId: string; credits: number }): Result {
  const { ds } = await ctx.db();
  const balance = await ds.transaction(async (manager) => {
    // The ledger has no foreign key to the organisation: a mistyped id would silently get an account of its own.
    const [org] = await manager.query<unknown[]>('SELECT 1 FROM organization WHERE id = $1 FOR SHARE', [o.orgId]);
    if (!org) throw new Error(`no organisation ${o.orgId}`);
    return grantCredits(manager, o.orgId, o.credits, null);
  });
  return { ok: true, result: { organization_id: o.orgId, granted: o.credits, balance } };
}

/** `migrate`: applies pending migrations. */
export async function migrate(ctx: CliContext): Result {
  const { url, source } = await ctx.db();
  const applied = await runMigrations(url);
  return { ok: true, result: { database: source, applied } };
}
