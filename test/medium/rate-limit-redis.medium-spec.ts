import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GatewayError } from '@gw/inference';
import { buildThrottlerOptions, DEFAULT_RATE_LIMIT_OPTIONS, MemoryRateLimitStore, PrincipalThrottlerGuard, RedisRateLimitStore } from '@gw/metering';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { freePort } from '../support/metering-e2e';

/** A private redis-server on a free port, so this spec can kill and restart it without touching others. */
class RedisChild {
  private child?: ChildProcess;
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ready to accept connections')) resolve();
      });
    });
    child.removeAllListeners('exit');
  }
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}


describe(RedisRateLimitStore.name, () => {
  let redis: RedisChild;
  let replicaA: RedisRateLimitStore;
  let replicaB: RedisRateLimitStore;
  const warnings: string[] = [];

  before(async () => {
    redis = new RedisChild(await freePort());
    await redis.start();
    const logger = { warn: (m: string) => warnings.push(m) };
    replicaA = new RedisRateLimitStore(redis.url, { logger, warnEveryMs: 60_000 });
    replicaB = new RedisRateLimitStore(redis.url, { logger, warnEveryMs: 60_000 });
    await Promise.all([replicaA.waitUntilReady(), replicaB.waitUntilReady()]);
  });

  after(async () => {
    await replicaA?.close();
    await replicaB?.close();
    await redis?.kill();
  });

  it('two replicas share one budget: exactly 120 of 300 concurrent hits are allowed', async () => {
    const key = `shared-${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => (i % 2 ? replicaA : replicaB).hit(key, 120, 60_000)));
    assert.equal(results.filter((r) => r.allowed).length, 120);
    assert.ok(results.every((r) => !r.degraded));
    const refused = results.filter((r) => !r.allowed);
    assert.ok(refused.every((r) => r.remaining === 0 && r.retryAfterMs > 55_000 && r.retryAfterMs <= 60_000), 'refused until the oldest leaves');
    assert.deepEqual(
      results.filter((r) => r.allowed).map((r) => r.remaining).sort((a, b) => a - b),
      Array.from({ length: 120 }, (_, i) => i),
      'each allowed hit saw a distinct count',
    );
  });

  it('a short window expires: refused until the oldest request leaves, then allowed again', async () => {
    const key = `short-${randomUUID()}`;
    for (let i = 0; i < 3; i++) assert.equal((await replicaA.hit(key, 3, 1_000)).allowed, true);
    const refused = await replicaB.hit(key, 3, 1_000);
    assert.equal(refused.allowed, false);
    assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 1_000, `retryAfterMs ${refused.retryAfterMs}`);
    await sleep(refused.retryAfterMs + 30);
    assert.equal((await replicaB.hit(key, 3, 1_000)).allowed, true);
  });

  it('the guard applies a key override over Redis, with 429 + Retry-After, and recovers after the window', async () => {
    const options = buildThrottlerOptions(replicaA, { ...DEFAULT_RATE_LIMIT_OPTIONS, windowMs: 1_000 });
    const storage = (options as { storage: ThrottlerStorage }).storage;
    const guard = new PrincipalThrottlerGuard(options, storage, new Reflector());
    await guard.onModuleInit();
    const principal = { kind: 'api_key' as const, id: randomUUID(), rateLimitPerMinute: 2, orgRateLimitPerMinute: 50 };
    const call = () => {
      const headers = new Map<string, unknown>();
      const res = { header: (n: string, v: unknown) => headers.set(n, v) };
      const ctx = {
        getType: () => 'http',
        getHandler: () => call,
        getClass: () => Object,
        switchToHttp: () => ({ getRequest: () => ({ principal, headers: {} }), getResponse: () => res }),
      } as unknown as ExecutionContext;
      return { run: () => guard.canActivate(ctx), headers };
    };
    assert.equal(await call().run(), true);
    const second = call();
    assert.equal(await second.run(), true);
    assert.equal(second.headers.get('x-ratelimit-remaining-requests'), 0);
    const third = call();
    await assert.rejects(third.run(), (err: unknown) => err instanceof GatewayError && err.status === 429);
    assert.equal(third.headers.get('retry-after'), 1);
    await sleep(1_050);
    assert.equal(await call().run(), true);
  });

  it('fails open while Redis is down (fast, counted, logged) and enforces again once it is back', async () => {
    const key = `outage-${randomUUID()}`;
    for (let i = 0; i < 5; i++) await replicaA.hit(key, 5, 60_000);
    assert.equal((await replicaA.hit(key, 5, 60_000)).allowed, false, 'enforcing before the outage');
    const before = replicaA.failOpenCount + replicaB.failOpenCount;

    // Traffic keeps flowing from both replicas while Redis is killed mid-run.
    const samples: Array<{ ms: number; allowed: boolean; degraded: boolean; afterKill: boolean }> = [];
    let killed = false;
    let running = true;
    const traffic = (store: RedisRateLimitStore) =>
      (async () => {
        while (running) {
          const afterKill = killed;
          const started = performance.now();
          const r = await store.hit(key, 5, 60_000);
          samples.push({ ms: performance.now() - started, allowed: r.allowed, degraded: r.degraded === true, afterKill });
          await sleep(2);
        }
      })();
    const loops = [traffic(replicaA), traffic(replicaB)];
    await sleep(50);
    await redis.kill();
    killed = true;
    await sleep(300);
    running = false;
    await Promise.all(loops);

    const during = samples.filter((s) => s.afterKill);
    assert.ok(samples.some((s) => !s.afterKill && !s.allowed && !s.degraded), 'refusing before the kill');
    assert.ok(during.length >= 20, `hits during the outage: ${during.length}`);
    assert.ok(during.every((s) => s.allowed && s.degraded), 'every hit after the kill is allowed, degraded');
    const slowest = Math.max(...samples.map((s) => s.ms));
    assert.ok(slowest < 200, `slowest hit took ${slowest.toFixed(1)} ms`);
    assert.ok(replicaA.failOpenCount + replicaB.failOpenCount - before >= during.length);
    assert.ok(warnings.some((w) => w.includes('fail-open')), 'a warning was logged');
    assert.ok(warnings.length <= 2, `warnings are rate-limited (got ${warnings.length})`);

    await redis.start(); // same port, empty data set
    await Promise.all([replicaA.waitUntilReady(5_000), replicaB.waitUntilReady(5_000)]);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? replicaA : replicaB).hit(key, 5, 60_000)));
    assert.equal(results.filter((r) => r.allowed).length, 5, 'the script is reloaded (NOSCRIPT → EVAL) and enforces again');
    assert.ok(results.every((r) => !r.degraded));
  });

  it('measures the per-hit cost of the Memory and Redis stores', async (t) => {
    const memory = new MemoryRateLimitStore({ sweepIntervalMs: 0 });
    const n = 100_000;
    let started = performance.now();
    for (let i = 0; i < n; i++) await memory.hit(`k${i % 1_000}`, 120, 60_000);
    const memoryUs = ((performance.now() - started) * 1_000) / n;
    await memory.close();

    const serial = 3_000;
    started = performance.now();
    for (let i = 0; i < serial; i++) await replicaA.hit(`bench-${i % 100}`, 120, 60_000);
    const redisSerialUs = ((performance.now() - started) * 1_000) / serial;

    const concurrent = 20_000;
    started = performance.now();
    for (let batch = 0; batch < concurrent / 64; batch++) {
      await Promise.all(Array.from({ length: 64 }, (_, j) => replicaB.hit(`bench-c-${(batch * 64 + j) % 500}`, 120, 60_000)));
    }
    const redisConcurrentUs = ((performance.now() - started) * 1_000) / concurrent;
    t.diagnostic(`memory ${memoryUs.toFixed(2)} µs/hit; redis ${redisSerialUs.toFixed(1)} µs/hit serial (round trip), ${redisConcurrentUs.toFixed(1)} µs/hit at 64 in flight`);
    assert.ok(memoryUs > 0 && redisSerialUs > 0 && redisConcurrentUs > 0);
  });
});
