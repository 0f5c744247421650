import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GatewayError, GatewayErrorCode } from '@gw/inference';
import { SkipThrottle, Throttle, type ThrottlerModuleOptions, type ThrottlerStorage } from '@nestjs/throttler';
import { PrincipalThrottlerGuard } from './principal-throttler.guard';
import { buildThrottlerOptions } from './rate-limit.module';
import { DEFAULT_RATE_LIMIT_OPTIONS, type RateLimitSubject } from './rate-limit.options';
import type { RateLimitResult, RateLimitStore } from './rate-limit-store';

class FakeStore implements RateLimitStore {
  readonly calls: Array<{ key: string; limit: number; windowMs: number }> = [];
  next?: Partial<RateLimitResult>;
  async hit(key: string, limit: number, windowMs: number): Promise<RateLimitResult> {
    this.calls.push({ key, limit, windowMs });
    return { allowed: true, limit, remaining: limit - 1, resetAtMs: Date.UTC(2026, 0, 1, 0, 1), retryAfterMs: 0, ...this.next };
  }
  async close(): Promise<void> {}
}

class Routes {
  chat(): void {}
  @SkipThrottle()
  health(): void {}
  @SkipThrottle({ default: false })
  unskipped(): void {}
  @Throttle({ default: { limit: 3, ttl: 5_000 } })
  strict(): void {}
}

@SkipThrottle()
class Skipped {
  any(): void {}
  @SkipThrottle({ default: false })
  counted(): void {}
}

function context(principal: RateLimitSubject | undefined, handler: () => void = Routes.prototype.chat, classRef: object = Routes) {
  const headers = new Map<string, string | number>();
  const raw = new Map<string, string>();
  const res = { header: (n: string, v: string | number) => headers.set(n, v), raw: { headersSent: false, setHeader: (n: string, v: string) => raw.set(n, v) } };
  const req = { principal, headers: {} };
  const ctx = {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => classRef,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { ctx, headers, raw };
}

async function makeGuard(store = new FakeStore()) {
  const options = buildThrottlerOptions(store, { ...DEFAULT_RATE_LIMIT_OPTIONS, windowMs: 60_000 });
  const storage = (options as Exclude<ThrottlerModuleOptions, unknown[]>).storage as ThrottlerStorage;
  const sut = new PrincipalThrottlerGuard(options, storage, new Reflector());
  await sut.onModuleInit();
  return { sut, store };
}

const key = (over: Partial<RateLimitSubject> = {}): RateLimitSubject => ({ kind: 'api_key', id: 'k1', orgId: 'o1', ...over });

describe(PrincipalThrottlerGuard.name, () => {
  it('counts one request per principal under requests:<kind>:<id> and sets the three headers', async () => {
    const { sut, store } = await makeGuard();
    const { ctx, headers, raw } = context(key());
    assert.equal(await sut.canActivate(ctx), true);
    assert.deepEqual(store.calls, [{ key: 'requests:api_key:k1', limit: 120, windowMs: 60_000 }]);
    assert.equal(headers.get('x-ratelimit-limit-requests'), 120);
    assert.equal(headers.get('x-ratelimit-remaining-requests'), 119);
    assert.equal(headers.get('x-ratelimit-reset-requests'), '2026-01-01T00:01:00.000Z');
    assert.equal(raw.get('x-ratelimit-remaining-requests'), '119', 'also on the raw response, for hijacked streams');
    assert.equal(headers.has('retry-after'), false);
  });

  it('resolves the limit: key override, then organisation override, then the default per kind', async () => {
    const { sut, store } = await makeGuard();
    const cases: Array<[RateLimitSubject, number]> = [
      [key({ rateLimitPerMinute: 7, orgRateLimitPerMinute: 9 }), 7],
      [key({ rateLimitPerMinute: null, orgRateLimitPerMinute: 9 }), 9],
      [key(), 120],
      [{ kind: 'user', id: 'u1', orgRateLimitPerMinute: null }, 30],
      [{ kind: 'user', id: 'u2', orgRateLimitPerMinute: 50 }, 50],
      [{ kind: 'free_tier', id: 'device-1' }, 1],
    ];
    for (const [subject] of cases) await sut.canActivate(context(subject).ctx);
    assert.deepEqual(store.calls.map((c) => c.limit), cases.map(([, limit]) => limit));
    assert.equal(store.calls[3].key, 'requests:user:u1');
  });

  it('refuses with GatewayError(RateLimited) 429 and Retry-After in whole seconds, rounded up', async () => {
    const { sut, store } = await makeGuard();
    store.next = { allowed: false, remaining: 0, retryAfterMs: 12_001 };
    const { ctx, headers } = context(key());
    await assert.rejects(sut.canActivate(ctx), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.code, GatewayErrorCode.RateLimited);
      assert.equal(err.status, 429);
      assert.equal(err.wireCode, 'rate_limit_exceeded');
      assert.equal(err.message, 'Rate limit reached for requests: 120 per 60s. Retry in 13s.');
      return true;
    });
    assert.equal(headers.get('retry-after'), 13);
    assert.equal(headers.get('x-ratelimit-remaining-requests'), 0);
    assert.ok(headers.has('x-ratelimit-reset-requests'));
  });

  it('Retry-After is at least 1 second', async () => {
    const { sut, store } = await makeGuard();
    store.next = { allowed: false, remaining: 0, retryAfterMs: 3 };
    const { ctx, headers } = context(key());
    await assert.rejects(sut.canActivate(ctx), GatewayError);
    assert.equal(headers.get('retry-after'), 1);
  });

  it('lets requests without a principal and @SkipThrottle() routes through without counting', async () => {
    const { sut, store } = await makeGuard();
    const anonymous = context(undefined);
    assert.equal(await sut.canActivate(anonymous.ctx), true);
    assert.equal(anonymous.headers.size, 0);
    assert.equal(await sut.canActivate(context(key(), Routes.prototype.health).ctx), true);
    assert.equal(store.calls.length, 0);
  });

  it('reads @SkipThrottle() on the class, overridden by the handler, as the stock guard does', async () => {
    const { sut, store } = await makeGuard();
    assert.equal(await sut.canActivate(context(key(), Skipped.prototype.any, Skipped).ctx), true);
    assert.equal(store.calls.length, 0);
    await sut.canActivate(context(key({ id: 'k2' }), Skipped.prototype.counted, Skipped).ctx);
    await sut.canActivate(context(key({ id: 'k3' }), Routes.prototype.unskipped).ctx);
    assert.deepEqual(store.calls.map((c) => c.key), ['requests:api_key:k2', 'requests:api_key:k3']);
  });

  it('a route with its own @Throttle() limits goes through the stock guard, with the same key, headers and 429', async () => {
    const { sut, store } = await makeGuard();
    const { ctx, headers } = context(key(), Routes.prototype.strict);
    assert.equal(await sut.canActivate(ctx), true);
    assert.deepEqual(store.calls, [{ key: 'requests:api_key:k1', limit: 3, windowMs: 5_000 }]);
    assert.equal(headers.get('x-ratelimit-limit-requests'), 3);
    store.next = { allowed: false, remaining: 0, retryAfterMs: 2_000 };
    await assert.rejects(sut.canActivate(context(key(), Routes.prototype.strict).ctx), GatewayError);
    // The plain route still takes the principal's own limit.
    store.next = undefined;
    await sut.canActivate(context(key()).ctx);
    assert.equal(store.calls.at(-1)?.limit, 120);
  });

  it('passes a degraded (fail-open) answer through as allowed', async () => {
    const { sut, store } = await makeGuard();
    store.next = { allowed: true, degraded: true, remaining: 120 };
    const { ctx, headers } = context(key());
    assert.equal(await sut.canActivate(ctx), true);
    assert.equal(headers.get('x-ratelimit-remaining-requests'), 120);
  });
});
