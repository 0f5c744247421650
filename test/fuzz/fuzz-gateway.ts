/**
 * The gateway a fuzz run hits: a real `apps/main.js` process (both planes) in embedded or production mode, in
 * front of the fake OpenAI-compatible upstream, with limits raised so they never mask a result (rate limits,
 * login attempts and credits at 10^9), and the fuzz organisation's credentials.
 */
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli, readBootstrap } from '../support/bootstrap';
import { freshDatabase, freshRedis } from '../support/databases';
import { startGateway, TEST_JWT_SECRET, type GatewayProcess } from '../support/gateway-process';
import { controlAs } from '../support/metering-e2e';
import type { FuzzContext } from './types';

export type FuzzModeName = 'embedded' | 'production';

export interface FuzzGateway {
  gw: GatewayProcess;
  fake: FakeUpstream;
  ctx: FuzzContext;
  origins: { inference: string; control: string };
  databaseUrl: string;
  bodyLimit: number;
  stop(): Promise<number | null>;
}

export const FUZZ_BODY_LIMIT = 1024 * 1024;
const BIG = '1000000000';

/** `database`: a name containing `test` (production mode); `redisDb`: the logical Redis db it may flush. */
export async function startFuzzGateway(mode: FuzzModeName, opts: { database: string; redisDb: number }): Promise<FuzzGateway> {
  const fake = await startFakeUpstream();
  const provider = { kind: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-secret', timeout_ms: 10_000, connections: 64 };
  const catalog = {
    providers: [{ id: 'fake', ...provider, tokenize_path: '/tokenize' }],
    models: [{ id: 'fake-model', provider: 'fake', upstream_model: 'fake-model' }],
  };
  let env: Record<string, string> = {
    CATALOG_JSON: JSON.stringify(catalog),
    BODY_LIMIT_BYTES: String(FUZZ_BODY_LIMIT),
    RATE_LIMIT_KEY: BIG,
    RATE_LIMIT_JWT: BIG,
    LOGIN_ATTEMPTS_PER_MINUTE: BIG,
    BOOTSTRAP_CREDITS: BIG,
    LOG_LEVEL: 'error',
  };
  let databaseUrl = '';
  if (mode === 'production') {
    databaseUrl = await freshDatabase(opts.database);
    env = { ...env, DATABASE_URL: databaseUrl, REDIS_URL: await freshRedis(opts.redisDb) };
  }
  const gw = await startGateway(env, 120_000);
  try {
    const boot =
      mode === 'production'
        ? await bootstrapCli({ DATABASE_URL: databaseUrl }, ['--org', 'fuzz', '--email', 'fuzz-owner@example.com', '--credits', BIG])
        : await waitForBootstrap(gw);
    if (mode === 'embedded') databaseUrl = gw.info.databaseUrl!;
    const controlUrl = gw.info.controlUrl!;
    const owner = await controlAs(controlUrl, boot.user.email, boot.password);
    const ctx: FuzzContext = {
      apiKey: boot.api_key.key,
      jwt: owner.token,
      jwtSecret: TEST_JWT_SECRET,
      email: boot.user.email,
      password: boot.password,
      runTag: Date.now().toString(36),
    };
    // Fake-upstream requests are recorded in memory; a long run would keep every body, so the log is trimmed.
    const trim = setInterval(() => fake.requests.splice(0), 1_000);
    trim.unref();
    return {
      gw,
      fake,
      ctx,
      origins: { inference: gw.info.inferenceUrl!, control: controlUrl },
      databaseUrl,
      bodyLimit: FUZZ_BODY_LIMIT,
      async stop() {
        clearInterval(trim);
        const code = await gw.stop();
        await fake.close();
        return code;
      },
    };
  } catch (err) {
    await gw.stop('SIGKILL');
    await fake.close();
    throw err;
  }
}

/** The embedded start writes bootstrap.json right after it starts listening. */
async function waitForBootstrap(gw: GatewayProcess) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return readBootstrap(gw.dataDir);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
