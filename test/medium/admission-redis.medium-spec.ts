import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import Redis from 'ioredis';
import { AdmissionRedis, RedisQuotaStore, RedisRateLimitStore, type QuotaCounter } from '@gw/metering';
import { privateRedis, type PrivateRedis } from '../support/private-services';
import { freePort } from '../support/metering-e2e';
import { MIDDAY_ZONE } from '../support/midday-zone';

const quiet = { warn: () => undefined };

/** ioredis reports `end` once the socket has closed, a moment after `disconnect()`. */
async function ended(client: Redis): Promise<boolean> {
  for (let i = 0; i < 100 && client.status !== 'end'; i++) await new Promise((r) => setTimeout(r, 10));
  return client.status === 'end';
}


/** The rate limiter and the quotas on one connection (issue 12), against a Redis of its own that can be frozen. */
describe('AdmissionRedis: the rate limiter and the quotas on one connection', () => {
  let redis: PrivateRedis;
  let raw: Redis;
  const counter = (name: string, requests: number): QuotaCounter => ({
    scope: 'user',
    key: `{org-${randomUUID()}}|u|${name}`,
    limit: { requests, tokens: 0, window: 'daily' },
  });
  const stores = (shared: AdmissionRedis) => ({
    limiter: new RedisRateLimitStore(shared, { logger: quiet, commandTimeoutMs: 100 }),
    quotas: new RedisQuotaStore(shared, { timeZone: MIDDAY_ZONE, holdTtlMs: 60_000, commandTimeoutMs: 600, logger: quiet }),
  });

  before(async () => {
    redis = privateRedis(await freePort());
    await redis.start();
    raw = new Redis(redis.url);
  });

  after(async () => {
    raw?.disconnect();
    await redis?.destroy();
  });

  it('a hit and a reserve of one call share one connection and both count exactly', async () => {
    const shared = new AdmissionRedis(redis.url);
    const { limiter, quotas } = stores(shared);
    try {
      await Promise.all([limiter.waitUntilReady(), quotas.waitUntilReady()]);
      const c = counter('shared', 3);
      const key = `k-${randomUUID()}`;
      const calls = await Promise.all(
        Array.from({ length: 5 }, () => Promise.all([limiter.hit(key, 4, 60_000), quotas.reserve({ holdId: randomUUID(), counters: [c], requests: 1, tokens: 0 })])),
      );
      assert.deepEqual(
        calls.map(([hit]) => hit.allowed),
        [true, true, true, true, false],
      );
      assert.equal(calls.filter(([, q]) => q.ok).length, 3);
      const clients = String(await raw.client('LIST'))
        .split('\n')
        .map((line) => /name=(\S*)/.exec(line)?.[1])
        .filter((name) => name?.startsWith('gw-'));
      assert.deepEqual(clients, ['gw-admission']);
    } finally {
      await limiter.close();
      await quotas.close();
    }
    assert.ok(await ended(shared.client), 'the last store to close closes the connection');
  });

  it("the commands of one event-loop turn, from either store, leave in one write; the next turn's in the next", async () => {
    const shared = new AdmissionRedis(redis.url);
    const { limiter, quotas } = stores(shared);
    try {
      await Promise.all([limiter.waitUntilReady(), quotas.waitUntilReady()]);
      const c = counter('turn', 10);
      const key = `k-${randomUUID()}`;
      const oneTurn = () => Promise.all([limiter.hit(key, 10, 60_000), quotas.reserve({ holdId: randomUUID(), counters: [c], requests: 1, tokens: 0 }), quotas.usage([c])]);
      await oneTurn(); // loads the scripts (a first EVALSHA meets NOSCRIPT and is sent again as EVAL)
      // Count what reaches the socket: each `_write` or `_writev` is one system call's worth of chunks.
      const socket = shared.client.stream as Socket & { _write: Socket['write']; _writev: (chunks: unknown[], cb: () => void) => void };
      const writes: number[] = [];
      const write = socket._write.bind(socket);
      const writev = socket._writev.bind(socket);
      socket._write = ((chunk: unknown, encoding: BufferEncoding, cb: () => void) => (writes.push(1), write(chunk as string, encoding, cb))) as Socket['write'];
      socket._writev = (chunks, cb) => (writes.push(chunks.length), writev(chunks, cb));
      const [hit, reserve, usage] = await oneTurn();
      assert.equal(writes.length, 1, `one write for the turn's three commands, got ${JSON.stringify(writes)}`);
      assert.equal(hit.allowed, true);
      assert.equal(reserve.ok, true);
      assert.equal(usage[0].requests.used, 2, "the usage read ran after both turns' reserves: a turn's commands keep their order");
      assert.equal((await limiter.hit(key, 10, 60_000)).allowed, true);
      assert.equal(writes.length, 2, 'a later turn leaves in a write of its own');
    } finally {
      await limiter.close();
      await quotas.close();
    }
  });

  it('a frozen Redis: on the same connection the limiter opens after its 100 ms and the quota fails closed after its 600 ms', async () => {
    const shared = new AdmissionRedis(redis.url);
    const { limiter, quotas } = stores(shared);
    try {
      await Promise.all([limiter.waitUntilReady(), quotas.waitUntilReady()]);
      redis.pause();
      const started = Date.now();
      const hit = limiter.hit(`k-${randomUUID()}`, 10, 60_000).then((r) => ({ r, ms: Date.now() - started }));
      const reserve = quotas.reserve({ holdId: randomUUID(), counters: [counter('frozen', 5)], requests: 1, tokens: 0 }).then(
        () => ({ err: null, ms: Date.now() - started }),
        (err: Error) => ({ err, ms: Date.now() - started }),
      );
      const h = await hit;
      assert.equal(h.r.allowed, true);
      assert.equal(h.r.degraded, true, 'allowed by fail-open');
      assert.ok(h.ms >= 95 && h.ms < 500, `the limiter answered after ${h.ms} ms`);
      const q = await reserve;
      assert.match(String(q.err?.message), /timed out/i, 'the quota failed closed');
      assert.ok(q.ms >= 590 && q.ms < 1_500, `the quota answered after ${q.ms} ms`);
    } finally {
      redis.resume();
      await limiter.close();
      await quotas.close();
    }
  });

  it('one store closing leaves the other working', async () => {
    const shared = new AdmissionRedis(redis.url);
    const { limiter, quotas } = stores(shared);
    await Promise.all([limiter.waitUntilReady(), quotas.waitUntilReady()]);
    await limiter.close();
    await limiter.close(); // idempotent: does not give the connection back twice
    try {
      const r = await quotas.reserve({ holdId: randomUUID(), counters: [counter('after-close', 1)], requests: 1, tokens: 0 });
      assert.equal(r.ok, true);
      assert.equal(shared.client.status, 'ready');
    } finally {
      await quotas.close();
    }
    assert.ok(await ended(shared.client));
  });
});
