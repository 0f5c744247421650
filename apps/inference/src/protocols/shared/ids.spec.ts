import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from './ids';

describe('newId', () => {
  it('has the prefix, the length and only base62 characters, and does not repeat', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newId('chatcmpl-');
      assert.match(id, /^chatcmpl-[A-Za-z0-9]{24}$/);
      seen.add(id);
    }
    assert.equal(seen.size, 5000);
  });

  it('uses every character of the alphabet roughly evenly', () => {
    const counts = new Map<string, number>();
    for (const ch of Array.from({ length: 2000 }, () => newId('', 31)).join('')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    assert.equal(counts.size, 62);
    const mean = 62_000 / 62;
    for (const n of counts.values()) assert.ok(Math.abs(n - mean) < mean * 0.25, `count ${n} vs mean ${mean}`);
  });
});
