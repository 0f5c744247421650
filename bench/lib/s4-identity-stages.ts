/**
 * The per-request identity checks on a warm cache (issue 8: token version and role from a cached per-user
 * state): `ak_` key authentication, the user-state lookup alone, and a login token's full check (HS256
 * signature + user state). The services are the gateway's own, over repositories that answer once to warm the
 * caches and fail afterwards, so a stage can only measure the cached path; the change feed is a stub that
 * reports "listening" (the caches trust entries only then).
 */
import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { Env } from '@gw/config';
import {
  ApiKeyCache,
  ApiKeyService,
  generateApiKey,
  TokenService,
  UserStateCache,
  UserStateService,
  type ApiKeyRepository,
  type AppUserRepository,
  type IdentityChangeFeed,
  type UserState,
} from '@gw/identity';
import type { Stage } from './s4-timer';

/** Answers the first call (the cache warm-up) and throws afterwards: a stage that misses the cache fails loudly. */
function once<T>(what: string, value: T): () => Promise<T> {
  let calls = 0;
  return async () => {
    if (calls++ > 0) throw new Error(`S4 identity stage: ${what} read the database again (the cache is not hit)`);
    return value;
  };
}

export async function identityStages(env: Env, notes: string[]): Promise<Stage[]> {
  if (env.API_KEY_CACHE_TTL_MS <= 0) {
    notes.push('identity stages skipped: API_KEY_CACHE_TTL_MS defaults to 0 (no cache to measure)');
    return [];
  }
  const feed = { listening: true, subscribe: () => () => undefined } as unknown as IdentityChangeFeed;
  const opts = { databaseUrl: 'postgres://unused', ttlMs: env.API_KEY_CACHE_TTL_MS };
  const orgId = randomUUID();
  const userId = randomUUID();
  const keyId = randomUUID();
  const state: UserState = { id: userId, orgId, role: 'member', disabled: false, tokenVersion: 3 };
  const row = {
    id: keyId,
    org_id: orgId,
    user_id: userId,
    role: 'member',
    rate_limit_per_minute: null,
    org_rate_limit_per_minute: null,
    last_used_at: new Date(),
    expires_at: null,
  };
  const keyRepo = { findActiveByKeyHash: once('key lookup', row), touchLastUsed: async () => undefined } as unknown as ApiKeyRepository;
  const apiKeys = new ApiKeyService(keyRepo, new ApiKeyCache(opts, feed));
  const userRepo = { state: once('user state', state) } as unknown as AppUserRepository;
  const users = new UserStateService(userRepo, new UserStateCache(opts, feed));
  const secret = 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
  const tokens = new TokenService(new JwtService({ secret }), { jwtSecret: secret, ttlSeconds: env.JWT_TTL_SECONDS }, users);
  const key = generateApiKey();
  const { access_token: jwt } = await tokens.sign({ id: userId, orgId, role: 'member', tokenVersion: state.tokenVersion });
  // Warm both caches through the real code path (and check that the answers are what a request would get).
  if ((await apiKeys.authenticate(key))?.keyId !== keyId) throw new Error('S4 identity stage: key authentication failed');
  if ((await tokens.verify(jwt)).userId !== userId) throw new Error('S4 identity stage: token verification failed');
  return [
    { stage: 'API key auth, warm cache (sha256 + cache hit)', body: '–', run: () => apiKeys.authenticate(key), async: true },
    { stage: 'user state (role, token version), warm cache', body: '–', run: () => users.current(userId), async: true },
    { stage: 'login token check, warm cache (HS256 verify + user state)', body: '–', run: () => tokens.verify(jwt), async: true },
  ];
}
