import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_ATTEMPTS, expectedTotalDelayMs, nextDelayMs, retryCapMs, retryDelayMs } from './backoff';

const fixed = (r: number) => () => r;

describe('retryDelayMs', () => {
  it('doubles the cap from 1 s up to 5 min', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 9, 10, 11, 50].map((n) => retryCapMs(n)),
      [1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000, 300_000],
    );
    assert.equal(retryCapMs(5_000), 300_000, 'no overflow for very large attempts');
    assert.equal(retryCapMs(0), 1_000, 'attempts below 1 count as the first');
  });

  it('draws uniformly in [0, cap) (full jitter)', () => {
    assert.equal(retryDelayMs(3, { random: fixed(0) }), 0);
    assert.equal(retryDelayMs(3, { random: fixed(0.5) }), 2_000);
    assert.equal(retryDelayMs(3, { random: fixed(0.999_999) }), 3_999);
    assert.equal(retryDelayMs(3, { random: fixed(1) }), 3_999, 'a random() of 1 still stays below the cap');
    assert.equal(retryDelayMs(2, { baseMs: 100, maxMs: 150, random: fixed(0.5) }), 75);
  });

  it('stays in range with the real random source, and spreads', () => {
    const samples = Array.from({ length: 2_000 }, () => retryDelayMs(6));
    assert.ok(samples.every((d) => Number.isInteger(d) && d >= 0 && d < 32_000));
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    assert.ok(mean > 14_000 && mean < 18_000, `mean ${mean}`);
    assert.ok(new Set(samples).size > 1_000);
  });

  it("honours a receiver's Retry-After, up to the cap", () => {
    assert.equal(nextDelayMs(1, 7_000, { random: fixed(0.5) }), 7_000);
    assert.equal(nextDelayMs(8, 7_000, { random: fixed(0.5) }), 64_000);
    assert.equal(nextDelayMs(1, 3_600_000, { random: fixed(0) }), 300_000);
    assert.equal(nextDelayMs(2, undefined, { random: fixed(0.5) }), 1_000);
  });

  it('keeps a batch trying for about half an hour by default', () => {
    assert.equal(DEFAULT_MAX_ATTEMPTS, 20);
    assert.equal(expectedTotalDelayMs(), 1_755_500);
    assert.equal(expectedTotalDelayMs(DEFAULT_MAX_ATTEMPTS, { random: fixed(0) }), 1_755_500);
  });
});
