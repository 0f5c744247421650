import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeyCache } from './api-key.cache';
import { parseIdentityChange, userChangePayload, type IdentityChange, type IdentityChangeFeed, type IdentityChangeHandler } from './identity-change.feed';
import type { ApiKeyPrincipal } from './principal';
import { UserStateCache, type UserState } from './user-state.cache';

/** A feed whose connection state and notifications the test drives. */
function fakeFeed() {
  const handlers = new Set<IdentityChangeHandler>();
  const feed = {
    listening: true,
    subscribe: (h: IdentityChangeHandler) => (handlers.add(h), () => handlers.delete(h)),
    emit: (c: IdentityChange) => handlers.forEach((h) => h(c)),
    lose() {
      feed.listening = false;
      feed.emit({ kind: 'all' });
    },
  };
  return feed;
}

const key = (keyId: string, userId: string | null): ApiKeyPrincipal => ({ kind: 'api_key', keyId, orgId: 'o', userId, role: 'member', projectId: null, rateLimitPerMinute: null, orgRateLimitPerMinute: null });
const user = (id: string): UserState => ({ id, orgId: 'o', role: 'admin', disabled: false, tokenVersion: 0 });

describe('identity change payloads', () => {
  it('parses key ids, user:<id> and *', () => {
    assert.deepEqual(parseIdentityChange('k1'), { kind: 'key', id: 'k1' });
    assert.deepEqual(parseIdentityChange(userChangePayload('u1')), { kind: 'user', id: 'u1' });
    assert.deepEqual(parseIdentityChange('*'), { kind: 'all' });
    assert.deepEqual(parseIdentityChange(undefined), { kind: 'all' });
  });
});

describe(ApiKeyCache.name, () => {
  it('evicts a key by id, every key of a user on user:<id>, and all on *', () => {
    const feed = fakeFeed();
    const sut = new ApiKeyCache({ databaseUrl: 'unused', ttlMs: 60_000 }, feed as unknown as IdentityChangeFeed);
    sut.set('h1', key('k1', 'u1'), null);
    sut.set('h2', key('k2', 'u1'), null);
    sut.set('h3', key('k3', 'u2'), null);
    sut.set('h4', key('k4', null), null);
    feed.emit({ kind: 'user', id: 'u1' });
    assert.deepEqual(['h1', 'h2', 'h3', 'h4'].map((h) => sut.get(h)?.keyId), [undefined, undefined, 'k3', 'k4']);
    feed.emit({ kind: 'key', id: 'k3' });
    assert.equal(sut.get('h3'), undefined);
    feed.emit({ kind: 'all' });
    assert.equal(sut.get('h4'), undefined);
  });

  it('does not store a read that raced an eviction (ticket), nor anything while the feed is down', () => {
    const feed = fakeFeed();
    const sut = new ApiKeyCache({ databaseUrl: 'unused', ttlMs: 60_000 }, feed as unknown as IdentityChangeFeed);
    const ticket = sut.ticket();
    feed.emit({ kind: 'user', id: 'u1' }); // the user was disabled while the lookup was in flight
    sut.set('h1', key('k1', 'u1'), null, ticket);
    assert.equal(sut.get('h1'), undefined, 'stale read not cached');
    sut.set('h1', key('k1', 'u1'), null, sut.ticket());
    assert.equal(sut.get('h1')?.keyId, 'k1');
    feed.lose();
    assert.equal(sut.get('h1'), undefined);
    sut.set('h1', key('k1', 'u1'), null, sut.ticket());
    assert.equal(sut.get('h1'), undefined, 'nothing is trusted while the listener is down');
  });

  it('expires entries with the key and after the TTL', () => {
    const sut = new ApiKeyCache({ databaseUrl: 'unused', ttlMs: 1_000 }, fakeFeed() as unknown as IdentityChangeFeed);
    sut.set('h1', key('k1', null), null, sut.ticket(), 0);
    sut.set('h2', key('k2', null), new Date(500), sut.ticket(), 0);
    assert.equal(sut.get('h1', 999)?.keyId, 'k1');
    assert.equal(sut.get('h2', 500), undefined);
    assert.equal(sut.get('h1', 1_000), undefined);
  });
});

describe(UserStateCache.name, () => {
  it('serves states and known-missing users until user:<id> or * evicts them', () => {
    const feed = fakeFeed();
    const sut = new UserStateCache({ ttlMs: 60_000 }, feed as unknown as IdentityChangeFeed);
    sut.set('u1', user('u1'), sut.ticket());
    sut.set('gone', null, sut.ticket());
    assert.equal(sut.get('u1')?.role, 'admin');
    assert.equal(sut.get('gone'), null, 'a deleted user is remembered as missing');
    assert.equal(sut.get('u2'), undefined);
    feed.emit({ kind: 'key', id: 'k1' });
    assert.equal(sut.get('u1')?.role, 'admin', 'key changes leave users alone');
    feed.emit({ kind: 'user', id: 'u1' });
    assert.equal(sut.get('u1'), undefined);
    feed.emit({ kind: 'all' });
    assert.equal(sut.get('gone'), undefined);
  });

  it('refuses stale reads and stops trusting entries when the feed is lost', () => {
    const feed = fakeFeed();
    const sut = new UserStateCache({ ttlMs: 60_000 }, feed as unknown as IdentityChangeFeed);
    const ticket = sut.ticket();
    feed.emit({ kind: 'user', id: 'u1' });
    sut.set('u1', user('u1'), ticket);
    assert.equal(sut.get('u1'), undefined);
    sut.set('u1', user('u1'), sut.ticket());
    feed.lose();
    assert.equal(sut.get('u1'), undefined);
  });
});
