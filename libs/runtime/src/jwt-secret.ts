import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from '@gw/config';

/**
 * The HS256 secret for login tokens: JWT_SECRET when set. Without it, the embedded mode generates one
 * and keeps it in `<DATA_DIR>/jwt.secret` (0600) so tokens survive restarts; with DATABASE_URL it is
 * required, since replicas must share it.
 */
export function resolveJwtSecret(config: GatewayConfig): string {
  if (config.env.JWT_SECRET) return config.env.JWT_SECRET;
  if (!config.embedded) {
    throw new Error('JWT_SECRET: required when DATABASE_URL is set (every replica must sign and verify login tokens with the same secret).');
  }
  const file = join(config.dataDir, 'jwt.secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}
