import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig, type CatalogConfig, type GatewayConfig } from '@gw/config';
import { createDataSource, openCliDatabase } from '@gw/database';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

const MAX_SKEW_MS = 2_000;
const TIMEOUT_MS = 3_000;

/** Each configured provider answers (openai-compatible: GET /models; anthropic: GET /v1/models; local: the file). */
async function modelChecks(catalog: CatalogConfig): Promise<Check[]> {
  return Promise.all(
    catalog.providers.map(async (p): Promise<Check> => {
      const name = `model provider '${p.id}' (${p.kind})`;
      if (p.kind === 'local-gguf') {
        if (p.model_path.startsWith('hf:')) return { name, ok: true, detail: `${p.model_path} (downloaded at start)` };
        return existsSync(p.model_path)
          ? { name, ok: true, detail: p.model_path }
          : { name, ok: false, detail: `${p.model_path} does not exist`, fix: 'set LOCAL_MODEL_PATH (or model_path in the catalogue) to a GGUF file' };
      }
      const url = p.kind === 'anthropic' ? `${p.base_url.replace(/\/+$/, '')}/v1/models` : `${p.base_url.replace(/\/+$/, '')}/models`;
      const headers: Record<string, string> = p.kind === 'anthropic' ? { 'anthropic-version': p.anthropic_version } : {};
      if (p.api_key) headers[p.kind === 'anthropic' ? 'x-api-key' : 'authorization'] = p.kind === 'anthropic' ? p.api_key : `Bearer ${p.api_key}`;
      try {
        const res = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
        await res.body?.cancel();
        if (res.status === 401 || res.status === 403) return { name, ok: false, detail: `${url} answered ${res.status}`, fix: "the upstream refused the gateway's key: check api_key / UPSTREAM_API_KEY" };
        if (res.status >= 500) return { name, ok: false, detail: `${url} answered ${res.status}`, fix: 'the model server is up but failing: check its logs' };
        return { name, ok: true, detail: `${url} answered ${res.status}` };
      } catch (err) {
        return { name, ok: false, detail: `${url}: ${(err as Error).message}`, fix: 'start the model server, or fix base_url / UPSTREAM_BASE_URL (reachable from this host)' };
      }
    }),
  );
}

async function redisCheck(url: string): Promise<Check> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: TIMEOUT_MS, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const pong = await redis.ping();
    return { name: 'redis', ok: pong === 'PONG', detail: `REDIS_URL answered ${pong}` };
  } catch (err) {
    return { name: 'redis', ok: false, detail: (err as Error).message, fix: 'start Redis, or fix REDIS_URL (unset it to keep queues and limits in Postgres/memory)' };
  } finally {
    redis.disconnect();
  }
}

/** The database answers, its migrations are applied, and its clock agrees with this host's. */
async function databaseChecks(config: GatewayConfig): Promise<Check[]> {
  const checks: Check[] = [];
  let pg;
  try {
    pg = await openCliDatabase(config, () => undefined);
    const ds = await createDataSource(pg.url, 1).initialize();
    try {
      const before = Date.now();
      const [row] = await ds.query<Array<{ ms: string }>>('SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS ms');
      const skew = Number(row.ms) - (before + Date.now()) / 2;
      checks.push({ name: 'database', ok: true, detail: `reachable (${pg.source})` });
      const pending = await ds.showMigrations();
      checks.push(pending ? { name: 'migrations', ok: false, detail: 'migrations are pending', fix: 'run `npm run -s ops -- migrate` (or start the gateway with MIGRATE_ON_START=true)' } : { name: 'migrations', ok: true, detail: 'up to date' });
      const ok = Math.abs(skew) <= MAX_SKEW_MS;
      checks.push({ name: 'clock skew', ok, detail: `database clock ${skew >= 0 ? '+' : ''}${Math.round(skew)} ms from this host`, ...(ok ? {} : { fix: 'sync both clocks (NTP): audit timestamps and quota windows depend on them' }) });
    } finally {
      await ds.destroy();
    }
  } catch (err) {
    checks.push({ name: 'database', ok: false, detail: (err as Error).message, fix: config.env.DATABASE_URL ? 'start Postgres, or fix DATABASE_URL (host, port, user, database)' : 'check DATA_DIR and its permissions, or set DATABASE_URL' });
  } finally {
    await pg?.stop().catch(() => undefined);
  }
  return checks;
}

/** `doctor`: configuration, database, migrations, Redis, model providers and clock skew, each with how to fix it. */
export async function doctor(): Promise<{ ok: boolean; checks: Check[] }> {
  let config: GatewayConfig;
  try {
    config = loadConfig();
  } catch (err) {
    const detail = err instanceof ConfigError ? err.message : (err as Error).message;
    return { ok: false, checks: [{ name: 'config', ok: false, detail, fix: 'fix the variables named above (README, "Configuration")' }] };
  }
  const checks: Check[] = [{ name: 'config', ok: true, detail: `valid (${config.env.GATEWAY_ROLE}, ${config.embedded ? 'embedded Postgres' : 'DATABASE_URL'})` }];
  const [db, redis, models] = await Promise.all([
    databaseChecks(config),
    config.env.REDIS_URL ? redisCheck(config.env.REDIS_URL) : Promise.resolve<Check>({ name: 'redis', ok: true, detail: 'not configured (queues on Postgres, limits in memory)' }),
    modelChecks(config.catalog),
  ]);
  checks.push(...db, redis, ...models);
  return { ok: checks.every((c) => c.ok), checks };
}
