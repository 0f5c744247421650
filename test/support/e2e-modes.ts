import type { FakeUpstream } from '@gw/testing';
import { bootstrapCli, readBootstrap } from './bootstrap';
import { freshDatabase, freshRedis } from './databases';
import { MODEL_PATH, type GatewayProcess } from './gateway-process';

/** One of the two ways the gateway runs, as an e2e suite needs it. */
export interface SuiteMode {
  name: string;
  /** Extra env for the gateway (DATABASE_URL/REDIS_URL in production mode). */
  env: () => Promise<Record<string, string>>;
  /** Where the audit rows can be read. */
  databaseUrl: (gw: GatewayProcess) => string;
  /** An API key with credits for this gateway. */
  apiKey: (gw: GatewayProcess) => Promise<string>;
}

/** Embedded default: no DATABASE_URL/REDIS_URL; the start command bootstraps an org, a key and credits. */
export const embeddedMode: SuiteMode = {
  name: 'embedded Postgres + BullMQ on Postgres',
  env: async () => ({}),
  databaseUrl: (gw) => gw.info.databaseUrl!,
  apiKey: async (gw) => readBootstrap(gw.dataDir).api_key.key,
};

/** Production: the machine's Postgres (a fresh database `name`) and Redis (logical db `redisDb`). */
export function productionMode(name: string, redisDb: number): SuiteMode {
  let dbUrl = '';
  return {
    name: 'DATABASE_URL + BullMQ on Redis',
    env: async () => {
      dbUrl = await freshDatabase(name);
      return { DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(redisDb) };
    },
    databaseUrl: () => dbUrl,
    apiKey: async () =>
      (await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'e2e', '--email', 'e2e@example.com', '--credits', '100000'])).api_key.key,
  };
}

/**
 * The catalogue every protocol suite uses: the local GGUF model, the fake upstream under several
 * behaviours (named after the fake's behaviour in `upstream_model`), and an unreachable upstream.
 */
export function e2eCatalog(fake: FakeUpstream) {
  const fakeProvider = { kind: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-secret', timeout_ms: 1500 };
  return {
    providers: [
      { id: 'local', kind: 'local-gguf', model_path: MODEL_PATH, threads: 1, sequences: 2 },
      { id: 'fake', ...fakeProvider, tokenize_path: '/tokenize' },
      { id: 'fake-notok', ...fakeProvider },
      { id: 'dead', kind: 'openai-compatible', base_url: 'http://127.0.0.1:9/v1', timeout_ms: 1500 },
    ],
    models: [
      { id: 'abliterated-model', aliases: ['abliteration-model'], provider: 'local', upstream_model: 'stories260K' },
      { id: 'fake-model', provider: 'fake', upstream_model: 'fake-model' },
      { id: 'fake-estimate', provider: 'fake-notok', upstream_model: 'fake-model' },
      { id: 'fake-hang', provider: 'fake', upstream_model: 'hang' },
      { id: 'fake-500', provider: 'fake', upstream_model: 'fail-500' },
      { id: 'fake-503', provider: 'fake', upstream_model: 'fail-503' },
      { id: 'fake-429', provider: 'fake', upstream_model: 'fail-429' },
      { id: 'fake-midfail', provider: 'fake', upstream_model: 'error-mid-stream' },
      { id: 'fake-slow', provider: 'fake', upstream_model: 'slow-stream' },
      { id: 'dead-model', provider: 'dead', upstream_model: 'x' },
    ],
  };
}
