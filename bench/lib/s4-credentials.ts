/**
 * What the S4 ladder needs from the gateway's stores: its database URL (BENCH_GATEWAY_ENV's DATABASE_URL, else
 * the embedded database of DATA_DIR/runtime.json) and a login token for the JWT rung. The token is signed with
 * the gateway's own secret (BENCH_GATEWAY_ENV's JWT_SECRET, else DATA_DIR/jwt.secret) by its own TokenService,
 * for the oldest enabled user, as a login would: production.sh has no reachable control port to log in at.
 */
import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import { TokenService, type Role, type UserStateService } from '@gw/identity';
import type { BenchOptions } from './options';

export function gatewayDatabaseUrl(o: BenchOptions, dataDir: string | undefined): string | undefined {
  if (o.gateway.env.DATABASE_URL) return o.gateway.env.DATABASE_URL;
  const file = dataDir && join(dataDir, 'runtime.json');
  if (!file || !existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { databaseUrl?: string | null }).databaseUrl ?? undefined;
}

function jwtSecret(o: BenchOptions, dataDir: string | undefined): string | undefined {
  if (o.gateway.env.JWT_SECRET) return o.gateway.env.JWT_SECRET;
  const file = dataDir && join(dataDir, 'jwt.secret');
  return file && existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** A bearer login token, or a reason why there is none. */
export async function loginToken(o: BenchOptions, dataDir: string | undefined, databaseUrl: string | undefined): Promise<{ token?: string; reason?: string }> {
  const secret = jwtSecret(o, dataDir);
  if (!secret || !databaseUrl) return { reason: 'no JWT secret or database URL known (BENCH_GATEWAY_ENV or DATA_DIR)' };
  const pg = new Client({ connectionString: databaseUrl, application_name: 'bench-s4' });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ id: string; org_id: string; role: Role; token_version: number }>(
      'SELECT id, org_id, role, token_version FROM app_user WHERE NOT disabled ORDER BY created_at LIMIT 1',
    );
    const u = rows[0];
    if (!u) return { reason: 'no enabled user in the gateway database' };
    // sign() never reads user state; verification (the gateway's) does.
    const tokens = new TokenService(new JwtService({ secret }), { jwtSecret: secret, ttlSeconds: 3600 }, undefined as unknown as UserStateService);
    const { access_token } = await tokens.sign({ id: u.id, orgId: u.org_id, role: u.role, tokenVersion: u.token_version });
    return { token: access_token };
  } finally {
    await pg.end().catch(() => undefined);
  }
}
