import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryRateLimitStore } from './memory-rate-limit.store';

const WINDOW = 60_000;

describe(MemoryRateLimitStore.name, () => {
  it('allows up to the limit, then refuses with retryAfter until the oldest request leaves the window', async () => {
    const sut = new MemoryRateLimitStore({ sweepIntervalMs: 0 });
    const first = await sut.hit('k', 3, WINDOW, 1_000);
    assert.deepEqual(first, { allowed: true, limit: 3, remaining: 2, resetAtMs: 61_000, retryAfterMs: 0 });
    assert.equal((await sut.hit('k', 3, WINDOW, 2_000)).remaining, 1);
    assert.equal((await sut.hit('k', 3, WINDOW, 3_000)).remaining, 0);
    const refused = await sut.hit('k', 3, WINDOW, 10_000);
    assert.deepEqual(refused, { allowed: false, limit: 3, remaining: 0, resetAtMs: 61_000, retryAfterMs: 51_000 });
    await sut.close();
  });

  it('slides: capacity returns one request at a time as each counted request expires', async () => {
    const sut = new MemoryRateLimitStore({ sweepIntervalMs: 0 });
    for (const t of [0, 100, 200]) assert.equal((await sut.hit('k', 3, 1_000, t)).allowed, true);
    assert.equal((await sut.hit('k', 3, 1_000, 999)).allowed, false, 'oldest still inside its window');
    const atFirstExpiry = await sut.hit('k', 3, 1_000, 1_000);
    assert.equal(atFirstExpiry.allowed, true, 'the request at t=0 left the window at t=1000');
    assert.equal(atFirstExpiry.remaining, 0);
    assert.equal(atFirstExpiry.resetAtMs, 1_100, 'next slot frees when the t=100 request leaves');
    const refused = await sut.hit('k', 3, 1_000, 1_050);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterMs, 50);
    assert.equal((await sut.hit('k', 3, 1_000, 1_100)).allowed, true);
    await sut.close();
  });

  it('does not count refused requests', async () => {
    const sut = new MemoryRateLimitStore({ sweepIntervalMs: 0 });
    await sut.hit('k', 2, 1_000, 0);
    await sut.hit('k', 2, 1_000, 10);
    for (let t = 20; t < 1_000; t += 10) assert.equal((await sut.hit('k', 2, 1_000, t)).allowed, false);
    // Had the refusals been counted, the window would still be full at t=1005.
    const after = await sut.hit('k', 2, 1_000, 1_005);
    assert.equal(after.allowed, true);
    assert.equal(after.remaining, 0, 'only the t=10 request and this one are counted');
    await sut.close();
  });

  it('keeps keys apart and honours a lowered limit', async () => {
    const sut = new MemoryRateLimitStore({ sweepIntervalMs: 0 });
    for (let i = 0; i < 5; i++) await sut.hit('a', 5, 1_000, i * 100);
    assert.equal((await sut.hit('b', 5, 1_000, 450)).remaining, 4);
    const lowered = await sut.hit('a', 2, 1_000, 500);
    assert.equal(lowered.allowed, false);
    assert.equal(lowered.resetAtMs, 1_300, 'needs the first four entries gone: the 4th (t=300) expires at 1300');
    await sut.close();
  });

  it('sweeps idle keys so memory stays bounded', async () => {
    let now = 0;
    const sut = new MemoryRateLimitStore({ sweepIntervalMs: 0, now: () => now });
    for (let i = 0; i < 1_000; i++) await sut.hit(`k${i}`, 10, 1_000);
    await sut.hit('busy', 10, 5_000);
    assert.equal(sut.size, 1_001);
    now = 1_000;
    sut.sweep();
    assert.equal(sut.size, 1, 'only the key whose window still holds a request remains');
    await sut.close();
  });

  it('compacts a long log as it slides (many requests, one key)', async () => {
    const sut = new MemoryRateLimitStore({ sweepIntervalMs: 0 });
    let allowed = 0;
    for (let t = 0; t < 100_000; t++) if ((await sut.hit('k', 100, 1_000, t)).allowed) allowed++;
    assert.equal(allowed, 100 * 100, 'exactly 100 per 1000 ms window over 100 s');
    await sut.close();
  });
});
