import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '@gw/inference';
import { costUsd, creditsFor, planForGrant, tokensAffordable } from './credit-math';

const P = { tokensPerCredit: 500, usdPerToken: 0.000005 };

describe('credit math', () => {
  it('matches the documented examples (24, 30, 46 tokens → 1 credit; $0.00012, $0.00015, $0.00023)', () => {
    assert.deepEqual([24, 30, 46].map((t) => creditsFor(t, P)), [1, 1, 1]);
    assert.deepEqual([24, 30, 46].map((t) => costUsd(t, P)), [0.00012, 0.00015, 0.00023]);
  });

  it('charges at least one credit and rounds up per 500 tokens', () => {
    assert.equal(creditsFor(0, P), 1);
    assert.equal(creditsFor(500, P), 1);
    assert.equal(creditsFor(501, P), 2);
    assert.equal(creditsFor(1500, P), 3);
    assert.equal(tokensAffordable(3, P), 1500);
  });

  it('caps the output to what a grant pays for, or refuses when it cannot pay for the input', () => {
    assert.deepEqual(planForGrant(2, 100, 5000, P), { credits: 2, maxTokens: 900, capped: true });
    assert.deepEqual(planForGrant(20, 100, 64, P), { credits: 20, maxTokens: 64, capped: false });
    assert.equal(planForGrant(1, 500, 10, P), null);
  });

  it('never prices a non-finite or unsafe token count: a 400, not a 503 or Infinity in SQL (issue 8, reproducer 3)', () => {
    const is400 = (e: unknown) => e instanceof GatewayError && e.status === 400;
    for (const bad of [1e308, 1.2e29, Infinity, NaN, Number.MAX_SAFE_INTEGER + 2]) {
      assert.throws(() => creditsFor(bad, P), is400, `creditsFor(${bad})`);
      assert.throws(() => costUsd(bad, P), is400, `costUsd(${bad})`);
      assert.throws(() => planForGrant(10, 5, bad, P), is400, `planForGrant(…, ${bad})`);
      assert.throws(() => planForGrant(10, bad, 5, P), is400, `planForGrant(…, ${bad}, …)`);
    }
    assert.equal(creditsFor(Number.MAX_SAFE_INTEGER, P), Math.ceil(Number.MAX_SAFE_INTEGER / 500));
    assert.ok(Number.isSafeInteger(tokensAffordable(Number.MAX_SAFE_INTEGER, P)));
  });
});
