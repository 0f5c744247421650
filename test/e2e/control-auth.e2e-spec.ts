import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDataSource } from '@gw/database';
import { bootstrapOrganization, type BootstrapResult } from '@gw/identity';
import { freshDatabase, freshRedis } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';

const JWT_SECRET = 'e2e-secret-e2e-secret-e2e-secret-0123456789';

interface Call {
  status: number;
  headers: Headers;
  // Response JSON of several shapes, asserted field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Login and API keys over HTTP on the control plane of a real gateway process (production mode). */
describe('control plane: login and API keys (e2e)', () => {
  let gw: GatewayProcess;
  let base: string;
  let boot: BootstrapResult;

  async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Call> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  }

  const login = async (email: string, password: string) => (await call('POST', '/api/auth/login', { body: { email, password } })).body.access_token as string;

  before(async () => {
    const dbUrl = await freshDatabase('gw_e2e_control_auth_test');
    gw = await startGateway({ GATEWAY_ROLE: 'control', DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(11), JWT_SECRET, LOGIN_ATTEMPTS_PER_MINUTE: '3' });
    base = gw.info.controlUrl!;
    const ds = await createDataSource(dbUrl, 2).initialize();
    try {
      boot = (await bootstrapOrganization(ds, { org: 'Acme', email: 'owner@acme.test', password: 'owner password 1' })) as BootstrapResult;
    } finally {
      await ds.destroy();
    }
  });

  after(async () => {
    const code = await gw?.stop();
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  it('POST /api/auth/login returns a bearer token; bad credentials are one 401', async () => {
    const ok = await call('POST', '/api/auth/login', { body: { email: 'OWNER@acme.test', password: 'owner password 1' } });
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(ok.body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(ok.body.token_type, 'Bearer');
    const expected = { error: { message: 'Invalid email or password', type: 'invalid_request_error', param: null, code: 'invalid_credentials' } };
    const badPassword = await call('POST', '/api/auth/login', { body: { email: 'owner@acme.test', password: 'nope' } });
    const badEmail = await call('POST', '/api/auth/login', { body: { email: 'ghost@acme.test', password: 'owner password 1' } });
    assert.equal(badPassword.status, 401);
    assert.deepEqual(badPassword.body, expected);
    assert.equal(badEmail.status, 401);
    assert.deepEqual(badEmail.body, expected);
    const missing = await call('POST', '/api/auth/login', { body: { email: 'owner@acme.test' } });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /'password'/);
  });

  it('rate-limits failed logins with 429 and Retry-After', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await call('POST', '/api/auth/login', { body: { email: 'victim@acme.test', password: 'x' } })).status, 401);
    const limited = await call('POST', '/api/auth/login', { body: { email: 'victim@acme.test', password: 'x' } });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'too_many_login_attempts');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  });

  it('/api/keys needs a login token; API keys and bad tokens get 401', async () => {
    assert.equal((await call('GET', '/api/keys')).status, 401);
    assert.equal((await call('GET', '/api/keys', { token: 'not.a.jwt' })).status, 401);
    const withKey = await call('GET', '/api/keys', { token: boot.api_key.key });
    assert.equal(withKey.status, 401);
    assert.equal(withKey.body.error.code, 'jwt_required');
    assert.equal((await call('GET', '/health/live')).status, 200, 'health stays public');
  });

  it('creates (plaintext once), lists (no plaintext, no hash) and revokes keys', async () => {
    const token = await login('owner@acme.test', 'owner password 1');
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const created = await call('POST', '/api/keys', { token, body: { label: 'ci', rate_limit_per_minute: 60, expires_at: expiresAt } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.key, /^ak_[0-9A-Za-z]{32}$/);
    assert.equal(created.body.label, 'ci');
    assert.equal(created.body.rate_limit_per_minute, 60);
    assert.equal(created.body.expires_at, expiresAt);
    assert.equal(created.body.key_preview, `${created.body.key.slice(0, 7)}…${created.body.key.slice(-4)}`);

    const list = await call('GET', '/api/keys', { token });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((k: { label: string }) => k.label).sort(), ['bootstrap', 'ci']);
    const raw = JSON.stringify(list.body);
    assert.ok(!raw.includes(created.body.key) && !raw.includes(boot.api_key.key) && !raw.includes('key_hash'));

    const bad = await call('POST', '/api/keys', { token, body: { label: 'x', rate_limit_per_minute: -1 } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /rate_limit_per_minute/);

    const revoked = await call('DELETE', `/api/keys/${created.body.id}`, { token });
    assert.deepEqual([revoked.status, revoked.body], [200, { id: created.body.id, revoked: true }]);
    const after = (await call('GET', '/api/keys', { token })).body.data.find((k: { id: string }) => k.id === created.body.id);
    assert.equal(after.revoked, true);
    const unknown = await call('DELETE', '/api/keys/00000000-0000-4000-8000-000000000000', { token });
    assert.equal(unknown.status, 404);
  });

  it('documents the endpoints in /docs/openapi.json', async () => {
    const doc = await call('GET', '/docs/openapi.json');
    assert.ok(doc.body.paths['/api/auth/login']?.post);
    assert.ok(doc.body.paths['/api/keys']?.post && doc.body.paths['/api/keys']?.get);
    assert.ok(doc.body.paths['/api/keys/{id}']?.delete);
  });
});
