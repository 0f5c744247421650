import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { createQuotaStore, RedisQuotaStore, type QuotaCounter, type QuotaHold, type QuotaReserveResult } from '@gw/metering';
import { freshRedis } from '../support/databases';
import { privateRedis } from '../support/private-services';
import { freePort } from '../support/metering-e2e';
import { MIDDAY_ZONE } from '../support/midday-zone';

const TTL = 60_000;
const DAY = 86_400_000;
const quiet = { warn: () => undefined };


const held = (r: QuotaReserveResult): QuotaHold => {
  assert.ok(r.ok, `expected a hold, got ${JSON.stringify(r)}`);
  return r.hold;
};

describe(RedisQuotaStore.name, () => {
  let url: string;
  let raw: Redis;
  let a: RedisQuotaStore;
  let b: RedisQuotaStore;
  // Unique per run, so counters never meet a previous run's.
  const org = `org-${randomUUID()}`;
  const counter = (scope: 'user' | 'project', name: string, requests: number, tokens: number): QuotaCounter => ({
    scope,
    key: `{${org}}|${scope === 'user' ? 'u' : 'p'}|${name}`,
    limit: { requests, tokens, window: 'daily' },
  });
  const reserve = (s: RedisQuotaStore, counters: QuotaCounter[], tokens: number, nowMs?: number) =>
    s.reserve({ holdId: randomUUID(), counters, requests: 1, tokens, nowMs });

  before(async () => {
    url = await freshRedis(15); // every db index 1–14 is taken by other suites
    raw = new Redis(url);
    a = new RedisQuotaStore(url, { timeZone: MIDDAY_ZONE, holdTtlMs: TTL, logger: quiet });
    b = new RedisQuotaStore(url, { timeZone: MIDDAY_ZONE, holdTtlMs: TTL, logger: quiet });
    await Promise.all([a.waitUntilReady(), b.waitUntilReady()]);
  });

  after(async () => {
    await a?.close();
    await b?.close();
    raw?.disconnect();
  });

  it('two replicas, 50 concurrent reserves against 7 requests: exactly 7 holds', async () => {
    const c = counter('user', 'race', 7, 0);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => reserve(i % 2 ? a : b, [c], 10)));
    assert.equal(results.filter((r) => r.ok).length, 7);
    for (const r of results) if (!r.ok) assert.deepEqual([r.scope, r.dimension, r.limit, r.used], ['user', 'requests', 7, 7]);
    const [u] = await b.usage([c]);
    assert.deepEqual([u.requests.used, u.tokens.held], [7, 70]);
  });

  it('settles and releases of one turn leave in batches (per hash tag, at most 256 holds each) and count exactly', async () => {
    const other = `org-${randomUUID()}`;
    const user = counter('user', 'batch', 0, 0);
    const project = counter('project', 'batch', 0, 0); // same tag as `user`: same batch, other keys
    const theirs: QuotaCounter = { scope: 'project', key: `{${other}}|p|batch`, limit: { requests: 0, tokens: 0, window: 'daily' } };
    const mixed: QuotaCounter = { scope: 'user', key: `${other}|u|mixed`, limit: { requests: 0, tokens: 0, window: 'daily' } };
    const shapes = [[user], [project, user], [theirs], [project]];
    const holds = await Promise.all(Array.from({ length: 300 }, (_, i) => reserve(a, shapes[i % 4], 50).then(held)));
    const spanning = held(await reserve(a, [user, mixed], 50)); // counters of two tags: a batch of its own
    // One turn: 300 settles of 7 tokens (two tags, the first over the batch cap), a release right behind a settle of
    // the same hold (nothing to give back), and the two-tag hold settled.
    const finishes = holds.map((h) => a.settle(h, 7));
    finishes.push(a.release(holds[0]), a.settle(spanning, 9));
    await Promise.all(finishes);
    const [u, p, t, x] = await b.usage([user, project, theirs, mixed]);
    assert.deepEqual([u.requests.used, u.tokens.used, u.tokens.held], [151, 150 * 7 + 9, 0]);
    assert.deepEqual([p.requests.used, p.tokens.used, p.tokens.held], [150, 150 * 7, 0]);
    assert.deepEqual([t.requests.used, t.tokens.used, t.tokens.held], [75, 75 * 7, 0]);
    assert.deepEqual([x.requests.used, x.tokens.used, x.tokens.held], [1, 9, 0]);
    assert.equal(a.failedFinishCount, 0);
  });

  it('a reserve carries its tag\'s waiting settles and applies them first; a usage read sends them ahead of itself', async () => {
    const c = counter('user', 'carry', 0, 10);
    const first = held(await reserve(a, [c], 10)); // the whole budget held
    let settled = false;
    void a.settle(first, 2).then(() => (settled = true)); // waits for a reserve of the tag (or the linger)
    assert.equal(settled, false);
    // Issued in the same turn, long before the linger: admitted only if the settle (10 held → 2 used) ran first, in
    // this reserve's own script (a settle sent separately would still be waiting).
    const second = await reserve(a, [c], 5);
    assert.equal(settled, true, 'the carried settle resolves with the reserve that carried it');
    const [u] = await b.usage([c]);
    assert.deepEqual([second.ok, u.requests.used, u.tokens.used, u.tokens.held], [true, 2, 2, 5]);
    // Of another tag: not carried by that reserve; still applied within the linger.
    const theirs: QuotaCounter = { scope: 'user', key: `{${org}-other}|u|carry`, limit: { requests: 0, tokens: 10, window: 'daily' } };
    const h = held(await reserve(a, [theirs], 10));
    const late = a.settle(h, 1);
    assert.equal((await reserve(a, [c], 1)).ok, true);
    await late;
    const [v] = await b.usage([theirs]);
    assert.deepEqual([v.tokens.used, v.tokens.held], [1, 0]);
    // A usage read on the settling replica sees what is still waiting: it leaves ahead of the read.
    void a.settle(held(second), 3);
    const [w] = await a.usage([c]);
    assert.deepEqual([w.tokens.used, w.tokens.held], [5, 1]);
    assert.equal(a.failedFinishCount, 0);
  });

  it('token budget 1000, calls hold 300 and settle 100: exact admissions round after round', async () => {
    const c = counter('user', 'tokens', 0, 1000);
    const admitted: number[] = [];
    for (let round = 0; round < 6; round++) {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => reserve(i % 2 ? a : b, [c], 300)));
      const holds = results.filter((r) => r.ok).map((r) => (r.ok ? r.hold : null) as QuotaHold);
      admitted.push(holds.length);
      await Promise.all(holds.map((h, i) => (i % 2 ? b : a).settle(h, 100)));
      await Promise.all(holds.map((h) => a.settle(h, 100))); // a second settle, from either replica, changes nothing
    }
    // used before each round: 0 → 3 holds of 300; 300 → 2; 500 → 1; 600 → 1; 700 → 1 (exactly 1000); 800 → none.
    assert.deepEqual(admitted, [3, 2, 1, 1, 1, 0]);
    const [u] = await a.usage([c]);
    assert.deepEqual([u.requests.used, u.tokens.used, u.tokens.held], [8, 800, 0]);
    const refused = await reserve(b, [c], 300);
    assert.deepEqual(refused.ok ? null : [refused.dimension, refused.limit, refused.used], ['tokens', 1000, 800]);
  });

  it('all or nothing across user and project; release and retried reserves count once; usage reads it out', async () => {
    const proj = counter('project', 'p1', 2, 0);
    const alice = counter('user', 'p1|alice', 10, 5000);
    held(await reserve(a, [proj], 0));
    const hold = held(await reserve(b, [alice, proj], 400));
    const refused = await reserve(a, [alice, proj], 400);
    assert.deepEqual(refused.ok ? null : [refused.scope, refused.dimension, refused.used], ['project', 'requests', 2]);
    const retried = await a.reserve({ holdId: hold.holdId, counters: [alice, proj], requests: 1, tokens: 400 });
    assert.ok(retried.ok, 'the same hold id is already held: not charged again');
    const [ua, up] = await a.usage([alice, proj]);
    assert.deepEqual([ua.requests.used, ua.tokens.held, up.requests.used, up.tokens.held], [1, 400, 2, 400]);
    assert.equal(ua.window.name, 'daily');
    assert.match(ua.window.id, /^d\d{4}-\d{2}-\d{2}$/);
    assert.ok(ua.window.startMs <= Date.now() && Date.now() < ua.window.resetAtMs);
    assert.deepEqual([ua.scope, ua.key, ua.requests.limit, ua.tokens.limit], ['user', alice.key, 10, 5000]);
    await b.release(hold);
    await a.release(hold);
    const [ra, rp] = await b.usage([alice, proj]);
    assert.deepEqual([ra.requests.used, ra.tokens.held, rp.requests.used, rp.tokens.held], [0, 0, 1, 0]);
  });

  it('expired holds are purged by the next reserve; a late settle counts once; keys share the org tag and expire', async () => {
    const c = counter('user', 'crash', 10, 1000);
    const now = Date.now();
    const crashed = held(await reserve(a, [c], 800, now));
    assert.equal((await reserve(b, [c], 300, now + TTL - 1)).ok, false, 'still held');
    held(await reserve(b, [c], 300, now + TTL));
    let [u] = await a.usage([c], now + TTL);
    assert.deepEqual([u.requests.used, u.tokens.used, u.tokens.held], [2, 0, 300]);
    await a.settle(crashed, 150);
    await b.settle(crashed, 150);
    [u] = await a.usage([c], now + TTL);
    assert.deepEqual([u.requests.used, u.tokens.used, u.tokens.held], [2, 150, 300]);
    const keys = await raw.keys(`gw:q:{${org}}:*crash*`);
    assert.equal(keys.length, 2, `hash + hold set: ${keys.join(', ')}`);
    for (const key of keys) {
      const ttl = await raw.pttl(key);
      assert.ok(ttl > DAY && ttl <= u.window.resetAtMs - now + DAY, `${key} expires after window end + margin (${ttl} ms)`);
    }
  });

  it('unreachable Redis: reserve and usage reject within ~1.5 s; settle and release resolve', async () => {
    const port = await freePort();
    const down = createQuotaStore({ redisUrl: `redis://127.0.0.1:${port}`, timeZone: MIDDAY_ZONE, holdTtlMs: TTL, commandTimeoutMs: 1_000, logger: quiet });
    try {
      const c = counter('user', 'down', 5, 0);
      for (const attempt of [0, 1]) {
        const started = Date.now();
        await assert.rejects(down.reserve({ holdId: randomUUID(), counters: [c], requests: 1, tokens: 1 }), /quota Redis unavailable/);
        assert.ok(Date.now() - started < 1_500, `attempt ${attempt} took ${Date.now() - started} ms`);
      }
      await assert.rejects(down.usage([c]));
      const hold: QuotaHold = { holdId: 'x', entries: [{ scope: 'user', key: c.key, windowKey: `${c.key}:d2026-12-04`, resetAtMs: 0 }], requests: 1, tokens: 1, expiresAtMs: 0 };
      await down.settle(hold, 1);
      await down.release(hold);
    } finally {
      await down.close();
    }
  });

  it('a frozen Redis: reserve times out fast, and its hold is released right behind it once Redis answers again', async () => {
    const frozen = privateRedis(await freePort());
    await frozen.start();
    const sut = new RedisQuotaStore(frozen.url, { timeZone: MIDDAY_ZONE, holdTtlMs: TTL, commandTimeoutMs: 300, logger: quiet });
    try {
      await sut.waitUntilReady();
      const c = counter('user', 'frozen', 5, 0);
      held(await reserve(sut, [c], 10));
      frozen.pause();
      const started = Date.now();
      await assert.rejects(reserve(sut, [c], 10), /timed out/i);
      assert.ok(Date.now() - started < 800, `took ${Date.now() - started} ms`);
      frozen.resume();
      await new Promise((r) => setTimeout(r, 200));
      const [u] = await sut.usage([c]);
      assert.deepEqual([u.requests.used, u.tokens.held], [1, 10], 'the late reserve ran, then its release');
    } finally {
      frozen.resume();
      await sut.close();
      await frozen.destroy();
    }
  });
});
