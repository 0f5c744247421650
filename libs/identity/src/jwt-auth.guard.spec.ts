import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyService } from './api-key.service';
import { AllowApiKey, Public, Roles } from './auth.decorator';
import { IdentityError } from './identity.errors';
import { JwtAuthGuard } from './jwt-auth.guard';
import type { ApiKeyPrincipal, Principal, UserPrincipal } from './principal';
import type { TokenService } from './token.service';

class Ctl {
  @Roles(['owner', 'admin'])
  adminOnly(): void {}
  open(): void {}
  @Public()
  pub(): void {}
  @AllowApiKey()
  keyOk(): void {}
}

const user: UserPrincipal = { kind: 'user', userId: 'u', orgId: 'o', role: 'member', jti: 'j' };
const KEY = `ak_${'k'.repeat(32)}`;
const keyPrincipal: ApiKeyPrincipal = { kind: 'api_key', keyId: 'k', orgId: 'o', userId: 'u', role: 'admin', projectId: null, rateLimitPerMinute: null, orgRateLimitPerMinute: null };
const tokens = { verify: async (t: string) => (t === 'good' ? user : Promise.reject(IdentityError.unauthenticated())) } as unknown as TokenService;
const apiKeys = { authenticate: async (k: string) => (k === KEY ? keyPrincipal : null) } as unknown as ApiKeyService;

function context(handler: () => void, url: string, authorization?: string) {
  const req: { url: string; routeOptions: { url: string }; headers: Record<string, string>; principal?: Principal } = {
    url,
    routeOptions: { url },
    headers: authorization ? { authorization } : {},
  };
  const ctx = { getType: () => 'http', getHandler: () => handler, getClass: () => Ctl, switchToHttp: () => ({ getRequest: () => req }) };
  return { ctx: ctx as unknown as ExecutionContext, req };
}

describe(JwtAuthGuard.name, () => {
  const sut = new JwtAuthGuard(new Reflector(), tokens, apiKeys);
  const p = Ctl.prototype;

  it('leaves non-/api routes and @Public() routes alone', async () => {
    assert.equal(await sut.canActivate(context(p.open, '/health/live').ctx), true);
    assert.equal(await sut.canActivate(context(p.pub, '/api/auth/login').ctx), true);
  });

  it('requires a valid bearer token on /api routes and attaches the principal', async () => {
    await assert.rejects(sut.canActivate(context(p.open, '/api/x').ctx), { status: 401, code: 'missing_credentials' });
    await assert.rejects(sut.canActivate(context(p.open, '/api/x', 'Bearer bad').ctx), { status: 401 });
    const { ctx, req } = context(p.open, '/api/x', 'Bearer good');
    assert.equal(await sut.canActivate(ctx), true);
    assert.deepEqual(req.principal, user);
  });

  it('enforces @Roles with 403', async () => {
    await assert.rejects(sut.canActivate(context(p.adminOnly, '/api/x', 'Bearer good').ctx), { status: 403 });
  });

  it('accepts ak_ keys only on @AllowApiKey() routes', async () => {
    await assert.rejects(sut.canActivate(context(p.open, '/api/x', `Bearer ${KEY}`).ctx), { status: 401, code: 'jwt_required' });
    const { ctx, req } = context(p.keyOk, '/api/x', `Bearer ${KEY}`);
    assert.equal(await sut.canActivate(ctx), true);
    assert.deepEqual(req.principal, keyPrincipal);
    await assert.rejects(sut.canActivate(context(p.keyOk, '/api/x', `Bearer ak_${'z'.repeat(32)}`).ctx), { status: 401, code: 'invalid_api_key' });
  });
});
