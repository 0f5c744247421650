import { ApiKeyRepository, ApiKeyService, ApiKeyEntity, AppUserEntity, bootstrapOrganization } from '@gw/identity';
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

/** `keys create`: a key for the organisation's owner (or the user given by email); the key is shown once. */
export async function keysCreate(ctx: CliContext, o: { orgId: string; label?: string; email?: string }): Result {
  const { ds } = await ctx.db();
  const users = ds.getRepository(AppUserEntity);
  const user = o.email
    ? await users.findOne({ where: { orgId: o.orgId, email: o.email.trim().toLowerCase() } })
    : await users.findOne({ where: { orgId: o.orgId, role: 'owner' }, order: { createdAt: 'ASC' } });
  if (!user) throw new Error(o.email ? `no user ${o.email} in organisation ${o.orgId}` : `organisation ${o.orgId} does not exist or has no owner`);
  const keys = new ApiKeyService(new ApiKeyRepository(ds.getRepository(ApiKeyEntity)));
  const { key, plaintext } = await keys.create({ orgId: o.orgId, userId: user.id, label: o.label ?? 'ops-cli' });
  return { ok: true, result: { api_key: { id: key.id, key: plaintext, preview: key.keyPreview, label: key.label }, organization_id: o.orgId, user_id: user.id } };
}

/** `keys revoke`: idempotent; the key is refused everywhere at its next request (the NOTIFY feed). */
export async function keysRevoke(ctx: CliContext, keyId: string): Result {
  const { ds } = await ctx.db();
  const row = await ds.getRepository(ApiKeyEntity).findOne({ where: { id: keyId } });
  if (!row) throw new Error(`no API key ${keyId}`);
  const keys = new ApiKeyService(new ApiKeyRepository(ds.getRepository(ApiKeyEntity)));
  const info = await keys.revoke({ orgId: row.orgId, userId: null, role: 'owner' }, keyId);
  return { ok: true, result: { api_key: info } };
}

/** `credits grant`: adds credits to an organisation's ledger; prints the new balance. */
export async function creditsGrant(ctx: CliContext, o: { orgId: string; credits: number }): Result {
  const { ds } = await ctx.db();
  const balance = await ds.transaction((manager) => grantCredits(manager, o.orgId, o.credits, null));
  return { ok: true, result: { organization_id: o.orgId, granted: o.credits, balance } };
}

/** `migrate`: applies pending migrations. */
export async function migrate(ctx: CliContext): Result {
  const { url, source } = await ctx.db();
  const applied = await runMigrations(url);
  return { ok: true, result: { database: source, applied } };
}
