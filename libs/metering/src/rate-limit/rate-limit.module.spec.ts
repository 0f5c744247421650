import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@gw/config';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import { PrincipalThrottlerGuard } from './principal-throttler.guard';
import { RATE_LIMIT_OPTIONS, RateLimitModule } from './rate-limit.module';
import { rateLimitOptionsFromConfig } from './rate-limit.options';
import { createRateLimitStore } from './rate-limit-store.factory';
import { RateLimitThrottlerStorage } from './rate-limit-throttler.storage';
import { RedisRateLimitStore } from './redis-rate-limit.store';

describe(RateLimitModule.name, () => {
  it('resolves and exports the guard with its throttler options and storage', async () => {
    const store = new MemoryRateLimitStore({ sweepIntervalMs: 0 });
    const options = rateLimitOptionsFromConfig(loadConfig({ RATE_LIMIT_KEY: '7', RATE_LIMIT_WINDOW_MS: '5000' }));
    @Module({ imports: [RateLimitModule.forRoot(store, options)] })
    class AppModule {}
    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    try {
      const sut = app.get(PrincipalThrottlerGuard);
      assert.ok(sut instanceof PrincipalThrottlerGuard);
      assert.deepEqual(app.get(RATE_LIMIT_OPTIONS), { windowMs: 5_000, apiKeyLimit: 7, userLimit: 30, freeTierLimit: 1 });
    } finally {
      await app.close();
      await store.close();
    }
  });
});

describe(RateLimitThrottlerStorage.name, () => {
  it('maps the store answer to the throttler record (seconds, blocked when refused) and keeps it', async () => {
    const store = new MemoryRateLimitStore({ sweepIntervalMs: 0 });
    let now = 0;
    const sut = new RateLimitThrottlerStorage({ hit: (k, l, w) => store.hit(k, l, w, now), close: () => store.close() }, () => now);
    const first = await sut.increment('k', 10_000, 2, 99_999, 'default');
    assert.deepEqual({ ...first, result: undefined }, { totalHits: 1, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0, result: undefined });
    now = 2_500;
    await sut.increment('k', 10_000, 2, 99_999, 'default');
    const refused = await sut.increment('k', 10_000, 2, 99_999, 'default');
    assert.equal(refused.isBlocked, true);
    assert.equal(refused.totalHits, 3);
    assert.equal(refused.timeToBlockExpire, 8, 'until the first hit leaves, not blockDuration');
    assert.equal(refused.result.retryAfterMs, 7_500);
    await store.close();
  });
});

describe(createRateLimitStore.name, () => {
  it('uses Redis when REDIS_URL is set, memory otherwise', async () => {
    const memory = createRateLimitStore(loadConfig({}));
    const redis = createRateLimitStore(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' }));
    try {
      assert.ok(memory instanceof MemoryRateLimitStore);
      assert.ok(redis instanceof RedisRateLimitStore);
      const r = await redis.hit('k', 5, 1_000);
      assert.deepEqual([r.allowed, r.degraded], [true, true], 'nothing listens on port 1: fail-open');
    } finally {
      await memory.close();
      await redis.close();
    }
  });
});
