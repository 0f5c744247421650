import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isPolicyId, slugifyPolicyName } from './policy-id';
import { isPolicyNotFound, PolicyStoreError } from './policy-store.errors';

describe('stored policy ids', () => {
  it('accepts lower-case slugs up to 128 characters only', () => {
    for (const ok of ['a', 'support-bot', 'v1.2_x', '0', 'a'.repeat(128)]) assert.ok(isPolicyId(ok), ok);
    for (const bad of ['', '-a', '.a', 'A', 'Support', 'a b', 'a/b', 'a:b', 'a'.repeat(129), 'é', 5, null]) assert.ok(!isPolicyId(bad), String(bad));
  });

  it('derives an id from a name', () => {
    assert.equal(slugifyPolicyName('support-bot'), 'support-bot');
    assert.equal(slugifyPolicyName('Support Bot Policy'), 'support-bot-policy');
    assert.equal(slugifyPolicyName('  Café / Crème  brûlée!! '), 'cafe-creme-brulee');
    assert.equal(slugifyPolicyName('--Ünïcode__'), 'unicode');
    assert.equal(slugifyPolicyName('v1.2 (beta)'), 'v1.2-beta');
    assert.equal(slugifyPolicyName('日本語'), '');
    assert.equal(slugifyPolicyName('!!!'), '');
    const long = slugifyPolicyName(`${'x'.repeat(127)} yz`);
    assert.equal(long, 'x'.repeat(127), 'cut to 128, then the trailing separator dropped');
    for (const name of ['Support Bot', 'a'.repeat(300), 'Ωmega 1', ' _x_ ']) {
      const slug = slugifyPolicyName(name);
      assert.ok(slug === '' || isPolicyId(slug), `${name} → ${slug}`);
    }
  });

  it('not-found errors say so by their code and never echo a malformed id', () => {
    const err = PolicyStoreError.notFound('<script>');
    assert.equal(err.code, 'policy_not_found');
    assert.equal(err.statusCode, 404);
    assert.ok(!err.message.includes('<script>'));
    assert.ok(PolicyStoreError.notFound('good-id').message.includes("'good-id'"));
    assert.ok(isPolicyNotFound(PolicyStoreError.versionNotFound('x', 3)));
    assert.ok(!isPolicyNotFound(PolicyStoreError.exists('x')));
  });
});
