import { Pool } from 'undici';
import type { ErrorContext } from './openai-compatible/upstream-errors';

/** A `(level, msg)` function or anything with `warn(msg)` (Nest `Logger`, pino). Messages never contain the API key. */
export type ProviderLogger = ((level: 'info' | 'warn' | 'error', msg: string) => void) | { warn(message: string): void };

/** What every HTTP upstream's config has (OpenAI-compatible and Anthropic providers). */
export interface UpstreamPoolConfig {
  id: string;
  api_key?: string;
  timeout_ms: number;
  connect_timeout_ms: number;
  connections: number;
}

/** How long `close()` lets in-flight upstream calls finish before the sockets are destroyed. */
const CLOSE_GRACE_MS = 5_000;

export function warnOf(logger?: ProviderLogger): (message: string) => void {
  return !logger ? () => undefined : typeof logger === 'function' ? (m) => logger('warn', m) : (m) => logger.warn(m);
}

/** One keep-alive pool per upstream origin; `timeout_ms` bounds headers and body, `connect_timeout_ms` the connect. */
export function createUpstreamPool(origin: string, config: UpstreamPoolConfig): Pool {
  return new Pool(origin, {
    connections: config.connections,
    headersTimeout: config.timeout_ms,
    bodyTimeout: config.timeout_ms,
    connect: { timeout: config.connect_timeout_ms },
  });
}

export function errorContextOf(config: UpstreamPoolConfig): ErrorContext {
  return { providerId: config.id, timeoutMs: config.timeout_ms, connectTimeoutMs: config.connect_timeout_ms, secret: config.api_key };
}

/** Closes gracefully, destroying the pool if calls are still running after the grace period. */
export async function closeUpstreamPool(pool: Pool): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS)));
  const closedInTime = await Promise.race([pool.close().then(() => true), graceOver]);
  clearTimeout(timer);
  if (!closedInTime) await pool.destroy();
}
