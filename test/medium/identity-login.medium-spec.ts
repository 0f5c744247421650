import 'reflect-metadata';
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDataSource } from '@gw/database';
import { LoginService, TokenService, type UserStateService } from '@gw/identity';
import { JwtService } from '@nestjs/jwt';
import type { DataSource } from 'typeorm';
import { createTestDatabase, truncateTables, type TestDatabase } from '../../libs/database/src/testing';
import { createIdentityServices, createTestUser, TEST_JWT_SECRET, type IdentityServices } from '../../libs/identity/src/testing';

const PASSWORD = 'correct horse battery staple';
const INVALID = { status: 401, code: 'invalid_credentials', message: 'Invalid email or password' };

describe(LoginService.name, () => {
  let db: TestDatabase;
  let ds: DataSource;
  let svc: IdentityServices;
  let sut: LoginService;
  let userId: string;
  let orgId: string;

  before(async () => {
    db = await createTestDatabase({ adminUrl: process.env.TEST_PG_ADMIN_URL });
    ds = await createDataSource(db.url, 4).initialize();
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });
  beforeEach(async () => {
    await truncateTables(ds, ['api_key', 'app_user', 'organization']);
    svc = createIdentityServices(ds, { loginAttemptsPerMinute: 3, ttlSeconds: 900 });
    sut = svc.login;
    const org = await svc.orgs.create('Acme');
    orgId = org.id;
    userId = (await createTestUser(svc, { orgId, email: 'Alice@Example.com', role: 'admin', password: PASSWORD })).id;
  });

  it('returns an HS256 bearer token with sub, org, role, ver, jti and exp; emails are case-insensitive', async () => {
    const res = await sut.login('  alice@EXAMPLE.com ', PASSWORD, '10.0.0.1');
    assert.equal(res.token_type, 'Bearer');
    assert.equal(res.expires_in, 900);
    const [header, payload] = res.access_token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    assert.equal(header.alg, 'HS256');
    assert.equal(payload.sub, userId);
    assert.equal(payload.org, orgId);
    assert.equal(payload.role, 'admin');
    assert.equal(payload.ver, 0);
    assert.match(payload.jti, /^[0-9a-f-]{36}$/);
    assert.ok(Math.abs(payload.exp - (Math.floor(Date.now() / 1000) + 900)) <= 2);
    const principal = await svc.tokens.verify(res.access_token);
    assert.deepEqual(principal, { kind: 'user', userId, orgId, role: 'admin', jti: payload.jti });
  });

  it('wrong email and wrong password give the same 401', async () => {
    await assert.rejects(sut.login('nobody@example.com', PASSWORD, '10.0.0.2'), INVALID);
    await assert.rejects(sut.login('alice@example.com', 'wrong password', '10.0.0.2'), INVALID);
  });

  it('disabled users cannot log in (same 401)', async () => {
    await svc.users.setDisabled(userId, true);
    await assert.rejects(sut.login('alice@example.com', PASSWORD, '10.0.0.3'), INVALID);
  });

  it('after LOGIN_ATTEMPTS_PER_MINUTE failures per IP + email: 429 with a retry delay, even with the right password', async () => {
    for (let i = 0; i < 3; i++) await assert.rejects(sut.login('alice@example.com', 'nope', '10.0.0.4'), INVALID);
    await assert.rejects(sut.login('ALICE@example.com', PASSWORD, '10.0.0.4'), (err: { status: number; retryAfterSeconds: number }) => {
      assert.equal(err.status, 429);
      assert.ok(err.retryAfterSeconds >= 1 && err.retryAfterSeconds <= 60, String(err.retryAfterSeconds));
      return true;
    });
    // Another client IP is not blocked.
    assert.equal((await sut.login('alice@example.com', PASSWORD, '10.0.0.5')).token_type, 'Bearer');
  });
});

describe(TokenService.name, () => {
  // Every token here must fail before its user's state is read.
  const states = { current: () => Promise.reject(new Error('state read')) } as unknown as UserStateService;
  const sut = new TokenService(new JwtService({ secret: TEST_JWT_SECRET }), { jwtSecret: TEST_JWT_SECRET, ttlSeconds: 60 }, states);
  const unauthenticated = { status: 401, code: 'invalid_token' };

  it('rejects tokens signed with another secret, expired tokens, other algorithms and garbage', async () => {
    const other = new TokenService(new JwtService({}), { jwtSecret: 'x'.repeat(40), ttlSeconds: 60 }, states);
    const foreign = await other.sign({ id: 'u', orgId: 'o', role: 'member', tokenVersion: 0 });
    await assert.rejects(sut.verify(foreign.access_token), unauthenticated);
    const jwt = new JwtService({});
    const expired = jwt.sign({ sub: 'u', org: 'o', role: 'member', jti: 'j', exp: Math.floor(Date.now() / 1000) - 10 }, { secret: TEST_JWT_SECRET });
    await assert.rejects(sut.verify(expired), unauthenticated);
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"u","org":"o","role":"owner","jti":"j","exp":9999999999}').toString('base64url')}.`;
    await assert.rejects(sut.verify(none), unauthenticated);
    const noVersion = jwt.sign({ sub: 'u', org: 'o', role: 'owner', jti: 'j' }, { secret: TEST_JWT_SECRET, expiresIn: 60 });
    await assert.rejects(sut.verify(noVersion), unauthenticated);
    await assert.rejects(sut.verify('garbage'), unauthenticated);
  });

  it('remembers a verified signature only until exp, and checks the user state on every call', async () => {
    const active = { id: 'u', orgId: 'o', role: 'admin', disabled: false, tokenVersion: 0 };
    let state: unknown = active;
    const live = { current: async () => state } as unknown as UserStateService;
    const svc = new TokenService(new JwtService({}), { jwtSecret: TEST_JWT_SECRET, ttlSeconds: 60 }, live);
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = new JwtService({}).sign({ sub: 'u', org: 'o', role: 'member', ver: 0, jti: 'j', exp }, { secret: TEST_JWT_SECRET });
    assert.equal((await svc.verify(token)).role, 'admin', 'the role comes from the state, not the token');
    state = { ...active, disabled: true };
    await assert.rejects(svc.verify(token), unauthenticated, 'a remembered signature does not skip the state check');
    state = active;
    assert.equal((await svc.verify(token)).userId, 'u');
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    await assert.rejects(svc.verify(token), unauthenticated, 'expired, although its signature was remembered');
  });
});
