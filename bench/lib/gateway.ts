/** How the harness configures the gateway it starts, and which credential it sends. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './options';
import { sleep } from './stats';

/**
 * Upstream pool size for the thin proxy and the gateway: at least the largest concurrent-streams step, since an
 * SSE stream holds its upstream connection for its whole life and a smaller pool would queue streams (TTFT of
 * the queue, not of the proxy). Pools open connections lazily, so this costs nothing at c=1. S6's streams count too:
 * until the eighteenth session they did not, so every S6 figure before it had 256 of its 1,000 streams flowing and
 * the rest queued in the proxy's pool.
 */
export function upstreamConnections(o: BenchOptions): number {
  return Math.max(256, ...o.s5.concurrency.map((n) => n * 2), o.only.has('s6') ? o.s6.streams : 0);
}

/** The model name of the concurrent step: the mock reads the `-iv<ms>` suffix as that stream's interval. */
export function concurrentModel(o: BenchOptions): string {
  return `${o.model}-iv${o.s5.concurrentIvMs}`;
}

/** The model of S6's long streams (`-iv<ms>` for the mock, through the thin proxy too). */
export function memoryModel(o: BenchOptions): string {
  return `${o.model}-iv${o.s6.ivMs}`;
}

/**
 * Environment of the gateway child. The catalogue is the default one (`abliterated-model` → the mock) written
 * out to size its upstream pool and to add the concurrent step's model. Credits and the per-key rate limit are raised so that they are counted on
 * every request but never refuse one. BENCH_GATEWAY_ENV wins over all of it.
 */
export function gatewayEnv(o: BenchOptions, mockOrigin: string, dataDir: string): Record<string, string> {
  const catalog = {
    providers: [{ id: 'upstream', kind: 'openai-compatible', base_url: `${mockOrigin}/v1`, connections: upstreamConnections(o) }],
    models: [
      { id: o.model, aliases: [], provider: 'upstream', upstream_model: 'bench-model' },
      { id: concurrentModel(o), aliases: [], provider: 'upstream', upstream_model: `bench-model-iv${o.s5.concurrentIvMs}` },
      { id: memoryModel(o), aliases: [], provider: 'upstream', upstream_model: `bench-model-iv${o.s6.ivMs}` },
    ],
  };
  return {
    UPSTREAM_BASE_URL: `${mockOrigin}/v1`,
    CATALOG_JSON: JSON.stringify(catalog),
    HOST: '127.0.0.1',
    INFERENCE_PORT: String(o.ports.inference),
    CONTROL_PORT: String(o.ports.control),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    BOOTSTRAP_CREDITS: '1000000000',
    RATE_LIMIT_KEY: '1000000000',
    ...o.gateway.env,
  };
}

/**
 * The credential header: BENCH_GATEWAY_HEADERS when it names one (production.sh), else the API key the embedded
 * gateway created on its first start in DATA_DIR/bootstrap.json. `undefined` when there is neither.
 */
export function authHeaders(o: BenchOptions, dataDir: string): Record<string, string> | undefined {
  const given = Object.keys(o.gateway.headers).map((h) => h.toLowerCase());
  if (given.includes('authorization') || given.includes('x-api-key')) return {};
  const file = join(dataDir, 'bootstrap.json');
  if (!existsSync(file)) return undefined;
  try {
    const boot = JSON.parse(readFileSync(file, 'utf8')) as { api_key?: { key?: unknown } };
    const key = boot.api_key?.key;
    return typeof key === 'string' ? { authorization: `Bearer ${key}` } : undefined;
  } catch {
    return undefined; // being written (the gateway listens before it bootstraps): the caller polls
  }
}

/** Polls {@link authHeaders} for up to `ms` (the bootstrap runs right after the gateway starts listening). */
export async function waitAuthHeaders(o: BenchOptions, dataDir: string, ms: number): Promise<Record<string, string> | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const headers = authHeaders(o, dataDir);
    if (headers !== undefined || Date.now() > until) return headers;
    await sleep(100);
  }
}
