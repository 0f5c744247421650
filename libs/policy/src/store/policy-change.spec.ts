import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IdentityChangeFeed, parseIdentityChange, parsePolicyChange, policyChangePayload, type IdentityChange, type PolicyChange } from '@gw/identity';

describe('policy change payloads on the identity channel', () => {
  it('round-trips policy:<org>:<id> and leaves identity payloads alone', () => {
    const org = '0b0e6f36-3f61-4a43-a7b3-5d0f1c1f2a10';
    assert.deepEqual(parsePolicyChange(policyChangePayload(org, 'support-bot.v2')), { kind: 'policy', orgId: org, policyId: 'support-bot.v2' });
    assert.deepEqual(parsePolicyChange('policy:garbled'), { kind: 'all' });
    for (const p of ['k1', 'user:u1', '*', undefined]) assert.equal(parsePolicyChange(p), null, String(p));
  });

  it('the feed hands policy payloads only to policy subscribers, and `*` to everyone', () => {
    const feed = new IdentityChangeFeed('postgres://unused');
    const identity: IdentityChange[] = [];
    const policies: PolicyChange[] = [];
    feed.subscribe((c) => identity.push(c));
    feed.subscribePolicies((c) => policies.push(c));
    const dispatch = (payload: string) => (feed as unknown as { dispatch(p: string): void }).dispatch(payload);
    dispatch(policyChangePayload('o', 'p'));
    dispatch('user:u1');
    dispatch('*');
    assert.deepEqual(identity, [{ kind: 'user', id: 'u1' }, { kind: 'all' }]);
    assert.deepEqual(policies, [{ kind: 'policy', orgId: 'o', policyId: 'p' }, { kind: 'all' }]);
    assert.deepEqual(parseIdentityChange(policyChangePayload('o', 'p')).kind, 'key', 'an older replica reads it as an unknown key id (evicts nothing)');
  });
});
