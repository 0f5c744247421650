import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateApiKey, hashApiKey, isWellFormedApiKey, previewApiKey } from './api-key.util';

describe('api-key.util', () => {
  it('generates distinct well-formed keys with ≥190 bits of randomness', () => {
    const keys = new Set(Array.from({ length: 1000 }, generateApiKey));
    assert.equal(keys.size, 1000);
    for (const k of keys) assert.ok(isWellFormedApiKey(k), k);
    assert.ok(32 * Math.log2(62) >= 190);
  });

  it('rejects other shapes', () => {
    for (const bad of ['', 'ak_', `ak_${'a'.repeat(31)}`, `ak_${'a'.repeat(33)}`, `AK_${'a'.repeat(32)}`, `ak_${'a'.repeat(31)}-`]) {
      assert.equal(isWellFormedApiKey(bad), false, bad);
    }
  });

  it('hashes with SHA-256 and previews the first 4 and last 4 characters', () => {
    const key = 'ak_AbCdefghijklmnopqrstuvwxyz012345';
    assert.equal(hashApiKey(key).length, 32);
    assert.equal(previewApiKey(key), 'ak_AbCd…2345');
  });
});
