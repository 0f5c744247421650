import type { IdentityOptions } from '@gw/identity';
import type { Runtime } from '@gw/runtime';

/** Identity settings of the control plane: the runtime's JWT secret (config, or kept in DATA_DIR). */
export function identityOptions(rt: Runtime): IdentityOptions {
  const env = rt.config.env;
  return { jwtSecret: rt.jwtSecret, ttlSeconds: env.JWT_TTL_SECONDS, loginAttemptsPerMinute: env.LOGIN_ATTEMPTS_PER_MINUTE };
}
