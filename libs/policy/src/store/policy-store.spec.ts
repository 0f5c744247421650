import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IdentityChangeFeed, PolicyChange, PolicyChangeHandler } from '@gw/identity';
import { PolicyStore } from './policy-store';
import type { PolicyReads } from './policy-store';
import type { PolicyVersionRow } from './policy.repository';

/** A feed whose connection state and notifications the test drives. */
function fakeFeed() {
  const handlers = new Set<PolicyChangeHandler>();
  const feed = {
    listening: true,
    subscribePolicies: (h: PolicyChangeHandler) => (handlers.add(h), () => handlers.delete(h)),
    emit: (c: PolicyChange) => handlers.forEach((h) => h(c)),
    lose() {
      feed.listening = false;
      feed.emit({ kind: 'all' });
    },
  };
  return feed;
}

/** An in-memory table of versions (org → id → documents by version, `deleted` heads) counting reads. */
function fakeReads() {
  const docs = new Map<string, unknown[]>();
  const deleted = new Set<string>();
  const counts = { latest: 0, version: 0 };
  const reads: PolicyReads = {
    async latestVersion(org, id) {
      counts.latest++;
      const k = `${org}/${id}`;
      return docs.has(k) && !deleted.has(k) ? docs.get(k)!.length : null;
    },
    async findVersion(org, id, v) {
      counts.version++;
      const doc = docs.get(`${org}/${id}`)?.[v - 1];
      return doc === undefined ? null : ({ policyId: id, version: v, generation: 1, name: null, sizeBytes: 10, createdAt: new Date(), createdBy: null, document: doc } satisfies PolicyVersionRow);
    },
  };
  const save = (org: string, id: string, denylist: string[]) => {
    const k = `${org}/${id}`;
    deleted.delete(k);
    docs.set(k, [...(docs.get(k) ?? []), { policy_id: id, rules: { denylist } }]);
  };
  return { reads, counts, save, remove: (org: string, id: string) => deleted.add(`${org}/${id}`) };
}

function setup(ttlMs = 60_000) {
  const feed = fakeFeed();
  const db = fakeReads();
  const store = new PolicyStore(db.reads, { databaseUrl: 'unused', ttlMs }, feed as unknown as IdentityChangeFeed);
  return { feed, db, store };
}

describe(PolicyStore.name, () => {
  it('serves the latest version from memory until a policy:<org>:<id> change evicts it', async () => {
    const { feed, db, store } = setup();
    db.save('o1', 'p', ['alpha']);
    const first = await store.getLatest('o1', 'p');
    assert.deepEqual([first.policyId, first.version, first.model.denylist], ['p', 1, ['alpha']]);
    assert.equal(await store.getLatest('o1', 'p'), first, 'same compiled object');
    assert.deepEqual(db.counts, { latest: 1, version: 1 });
    db.save('o1', 'p', ['beta']);
    feed.emit({ kind: 'policy', orgId: 'o2', policyId: 'p' }); // another org's policy of the same id
    assert.equal((await store.getLatest('o1', 'p')).version, 1);
    feed.emit({ kind: 'policy', orgId: 'o1', policyId: 'p' });
    const second = await store.getLatest('o1', 'p');
    assert.deepEqual([second.version, second.model.denylist, second.key], [2, ['beta'], 'stored:p@2']);
  });

  it('is org-scoped and throws policy_not_found for unknown, deleted and malformed ids', async () => {
    const { feed, db, store } = setup();
    db.save('o1', 'p', ['x']);
    await assert.rejects(store.getLatest('o2', 'p'), { code: 'policy_not_found', statusCode: 404 });
    await assert.rejects(store.getLatest('o1', 'nope'), { code: 'policy_not_found' });
    await assert.rejects(store.getLatest('o1', 'Bad Id'), { code: 'policy_not_found' });
    await store.getLatest('o1', 'p');
    db.remove('o1', 'p');
    feed.emit({ kind: 'policy', orgId: 'o1', policyId: 'p' });
    await assert.rejects(store.getLatest('o1', 'p'), { code: 'policy_not_found' });
  });

  it('trusts nothing while the feed is down, but still compiles each version once', async () => {
    const { feed, db, store } = setup();
    db.save('o1', 'p', ['x']);
    await store.getLatest('o1', 'p');
    feed.lose();
    db.save('o1', 'p', ['y']); // a change whose NOTIFY this replica cannot receive
    assert.equal((await store.getLatest('o1', 'p')).version, 2, 'read from the database');
    const before = { ...db.counts };
    for (let i = 0; i < 3; i++) assert.equal((await store.getLatest('o1', 'p')).version, 2);
    assert.deepEqual(db.counts, { latest: before.latest + 3, version: before.version }, 'one cheap read per request, no recompiles');
    feed.listening = true;
    await store.getLatest('o1', 'p');
    const cached = db.counts.latest;
    await store.getLatest('o1', 'p');
    assert.equal(db.counts.latest, cached, 'cached again once the feed is back');
  });

  it('does not cache a read that raced a change (ticket) and expires entries after the TTL', async () => {
    const { feed, db, store } = setup(30);
    db.save('o1', 'p', ['x']);
    const slow = db.reads.latestVersion;
    db.reads.latestVersion = async (o, i) => {
      const v = await slow(o, i);
      feed.emit({ kind: 'policy', orgId: 'o1', policyId: 'p' }); // a save committed while this read was in flight
      return v;
    };
    await store.getLatest('o1', 'p');
    db.reads.latestVersion = slow;
    const n = db.counts.latest;
    await store.getLatest('o1', 'p');
    assert.equal(db.counts.latest, n + 1, 'the raced read was not cached');
    await store.getLatest('o1', 'p');
    assert.equal(db.counts.latest, n + 1);
    await new Promise((r) => setTimeout(r, 40));
    await store.getLatest('o1', 'p');
    assert.equal(db.counts.latest, n + 2, 'expired after ttlMs');
  });

  it('compiles a version once however many requests ask for it at once', async () => {
    const { db, store } = setup();
    db.save('o1', 'p', ['x']);
    const all = await Promise.all(Array.from({ length: 10 }, () => store.getLatest('o1', 'p')));
    assert.ok(all.every((c) => c === all[0]));
    assert.equal(db.counts.version, 1);
  });

  it('reads a given version of a live policy only', async () => {
    const { feed, db, store } = setup();
    db.save('o1', 'p', ['one']);
    db.save('o1', 'p', ['two']);
    assert.deepEqual((await store.getVersion('o1', 'p', 1)).model.denylist, ['one']);
    assert.deepEqual((await store.getVersion('o1', 'p', 2)).model.denylist, ['two']);
    await assert.rejects(store.getVersion('o1', 'p', 3), { code: 'policy_version_not_found' });
    await assert.rejects(store.getVersion('o1', 'p', 0), { code: 'policy_version_not_found' });
    db.remove('o1', 'p');
    feed.emit({ kind: 'policy', orgId: 'o1', policyId: 'p' });
    await assert.rejects(store.getVersion('o1', 'p', 1), { code: 'policy_not_found' });
  });

  it('keeps the compiled memo bounded', async () => {
    const feed = fakeFeed();
    const db = fakeReads();
    const store = new PolicyStore(db.reads, { databaseUrl: 'unused', ttlMs: 60_000, maxEntries: 3 }, feed as unknown as IdentityChangeFeed);
    for (let i = 0; i < 6; i++) {
      db.save('o1', `p${i}`, ['x']);
      await store.getLatest('o1', `p${i}`);
    }
    assert.equal(store.compiledCount, 3);
  });
});
