import type { ApiKeyCacheOptions, IdentityOptions } from '@gw/identity';
import type { ControlRuntime } from '@gw/runtime';

/**
 * Identity settings of the control plane: the runtime's JWT secret (config, or kept in DATA_DIR), and
 * the same key and user-state caches as the inference plane, so a control request needs no identity
 * read either while the LISTEN connection is up.
 */
export function identityOptions(rt: ControlRuntime): IdentityOptions & { keyCache: ApiKeyCacheOptions } {
  const env = rt.config.env;
  return {
    jwtSecret: rt.jwtSecret,
    ttlSeconds: env.JWT_TTL_SECONDS,
    loginAttemptsPerMinute: env.LOGIN_ATTEMPTS_PER_MINUTE,
    keyCache: { databaseUrl: rt.postgres.url, ttlMs: env.API_KEY_CACHE_TTL_MS },
  };
}
