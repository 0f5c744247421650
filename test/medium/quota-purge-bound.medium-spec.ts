import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { RedisQuotaStore, type QuotaCounter, type QuotaHold, type QuotaReserveResult } from '@gw/metering';
import { freshRedis } from '../support/databases';
import { MIDDAY_ZONE } from '../support/midday-zone';

const TTL = 60_000;
const quiet = { warn: () => undefined };

const held = (r: QuotaReserveResult): QuotaHold => {
  assert.ok(r.ok, `expected a hold, got ${JSON.stringify(r)}`);
  return r.hold;
};

/**
 * The quota hash keeps `x`, a lower bound on its live holds' earliest expiry, so that reserves skip reading the hold
 * set until a hold can have expired (one Redis call per counter per call). These cases check that the bound never
 * delays a purge that is due, including after the hold that set it was settled, and on hashes written before it.
 */
describe('quota purge bound (real Redis)', () => {
  let raw: Redis;
  let store: RedisQuotaStore;
  const org = `org-${randomUUID()}`;
  const counter = (name: string, tokens: number): QuotaCounter => ({ scope: 'user', key: `{${org}}|u|${name}`, limit: { requests: 100, tokens, window: 'daily' } });
  const reserve = (c: QuotaCounter, tokens: number, nowMs: number) => store.reserve({ holdId: randomUUID(), counters: [c], requests: 1, tokens, nowMs });
  const heldAt = async (c: QuotaCounter, nowMs: number) => (await store.usage([c], nowMs))[0].tokens.held;
  const calls = async (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(await raw.info('commandstats'))?.[1] ?? 0);
  const zrangebyscoreCalls = () => calls('zrangebyscore');
  /** The counter's hash and hold set. */
  const keysOf = async (name: string) => {
    const out: { hash?: string; zset?: string } = {};
    for (const k of await raw.keys(`gw:q:{${org}}:*${name}*`)) {
      const type = await raw.type(k);
      if (type === 'hash') out.hash = k;
      if (type === 'zset') out.zset = k;
    }
    assert.ok(out.hash && out.zset, `a hash and a hold set for ${name}`);
    return out as { hash: string; zset: string };
  };

  before(async () => {
    const url = await freshRedis(15); // shared with quota-redis (the runner runs one file at a time; both flush it)
    raw = new Redis(url);
    store = new RedisQuotaStore(url, { timeZone: MIDDAY_ZONE, holdTtlMs: TTL, logger: quiet });
    await store.waitUntilReady();
  });
  after(async () => {
    await store?.close();
    raw?.disconnect();
  });

  it('a hold that expires after an earlier one was settled is still purged on time', async () => {
    const c = counter('late', 1_000);
    const now = Date.now();
    const first = held(await reserve(c, 100, now)); // sets the bound: now + TTL
    held(await reserve(c, 200, now + TTL / 2)); // expires at now + 1.5 TTL, never settled (a crashed call)
    await store.settle(first, 50);
    assert.equal(await heldAt(c, now + TTL), 200, 'the bound is reached: the set is read, nothing has expired yet');
    assert.equal(await heldAt(c, now + 1.5 * TTL - 1), 200);
    assert.equal(await heldAt(c, now + 1.5 * TTL), 0, 'the crashed hold is purged at its expiry');
    held(await reserve(c, 950, now + 1.5 * TTL)); // 50 settled + 950 = the budget: nothing stale holds tokens
  });

  it('reserves skip the hold set until the bound; the read comes back once a hold can have expired', async () => {
    const c = counter('reads', 1_000_000);
    const now = Date.now();
    held(await reserve(c, 1, now));
    const before = await zrangebyscoreCalls();
    for (let i = 1; i <= 5; i++) held(await reserve(c, 1, now + i));
    assert.equal(await zrangebyscoreCalls(), before, 'no reserve before the earliest expiry reads the set');
    held(await reserve(c, 1, now + TTL));
    assert.equal(await zrangebyscoreCalls(), before + 1);
  });

  it('a hash written before the bound existed (no x) is purged at the next reserve, which then keeps the bound', async () => {
    const c = counter('legacy', 1_000);
    const now = Date.now();
    held(await reserve(c, 700, now));
    const { hash } = await keysOf('legacy');
    await raw.hdel(hash, 'x');
    held(await reserve(c, 700, now + TTL)); // the first hold expired: its 700 tokens are given back first
    assert.equal(await heldAt(c, now + TTL), 700);
    assert.equal(Number(await raw.hget(hash, 'x')), now + 2 * TTL, 'the bound: the live hold\'s expiry');
  });

  it('the hold set gets its TTL once, from the reserve that creates it, and keeps it after its last hold leaves', async () => {
    const c = counter('ttl', 1_000_000);
    const now = Date.now();
    const first = held(await reserve(c, 1, now));
    const { hash, zset } = await keysOf('ttl');
    const ttl = await raw.pttl(zset);
    assert.ok(ttl > 0, `the new set expires (${ttl} ms)`);
    assert.ok(Math.abs(ttl - (await raw.pttl(hash))) < 1_000, 'with its hash');
    const before = await calls('pexpire');
    const more = [];
    for (let i = 1; i <= 5; i++) more.push(held(await reserve(c, 1, now + i)));
    assert.equal(await calls('pexpire'), before, 'no reserve into an existing set sets its TTL again');
    for (const h of [first, ...more]) await store.settle(h, 1);
    await store.usage([c], now + 10); // sends the settles waiting for a reserve
    assert.deepEqual(await raw.zrange(zset, 0, -1), [''], 'every hold left; the sentinel stays');
    assert.ok((await raw.pttl(zset)) > 0, 'the emptied set keeps its TTL');
    held(await reserve(c, 1, now + 20));
    assert.equal(await calls('pexpire'), before, 'nor into a set whose holds all left');
    assert.equal(await heldAt(c, now + 21), 1, 'the one live hold');
  });

  it('a hold set without the sentinel (an earlier release let it empty, another recreated it) gets it and a TTL', async () => {
    const c = counter('resentinel', 1_000);
    const now = Date.now();
    held(await reserve(c, 100, now));
    const { zset } = await keysOf('resentinel');
    await raw.del(zset);
    await raw.zadd(zset, now + TTL, `old:${randomUUID()}`); // an earlier release's hold: no sentinel, no TTL yet
    assert.equal(await raw.pttl(zset), -1);
    held(await reserve(c, 100, now + 1));
    assert.ok((await raw.pttl(zset)) > 0, 'the reserve that added the sentinel set the TTL');
    assert.equal(await raw.zscore(zset, ''), '9007199254740991');
    assert.equal(await heldAt(c, now + 2), 200);
  });
});
