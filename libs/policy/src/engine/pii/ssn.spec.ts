import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectPii } from './index';
import { validSsn } from './ssn';

const ssns = (text: string): string[] => detectPii(text, new Set(['US_SSN'])).map((m) => text.slice(m.start, m.end));

describe('US_SSN detector', () => {
  it('finds dashed and spaced SSNs', () => {
    assert.deepEqual(ssns('SSN 123-45-6789, spouse 078 05 1120.'), ['123-45-6789', '078 05 1120']);
    assert.deepEqual(ssns('123-45-6789'), ['123-45-6789'], 'whole text');
  });

  it('finds nine bare digits only after a context word within ~30 characters', () => {
    assert.deepEqual(ssns('SSN: 123456789'), ['123456789']);
    assert.deepEqual(ssns('my social security number is 536224190'), ['536224190']);
    assert.deepEqual(ssns('order 123456789 shipped'), []);
    assert.deepEqual(ssns(`ssn ${'x'.repeat(40)} 123456789`), [], 'context too far');
  });

  it('applies the area, group and serial rules', () => {
    for (const bad of ['000-12-3456', '666-12-3456', '900-12-3456', '999-12-3456', '123-00-4567', '123-45-0000']) assert.deepEqual(ssns(`SSN ${bad}`), [], bad);
    assert.equal(validSsn('899991234'), true);
    assert.equal(validSsn('665011234'), true);
  });

  it('rejects mixed separators, longer runs and glued tokens', () => {
    for (const t of ['123-45 6789', '123-45-6789-1', '1123-45-6789', 'ID-123-45-6789', '123-45-6789x', '123-456-789', '12-345-6789', '2024-05-12']) {
      assert.deepEqual(ssns(t), [], t);
    }
  });
});
