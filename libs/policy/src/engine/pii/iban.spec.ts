import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mod97 } from './iban';
import { detectPii } from './index';

const ibans = (text: string): string[] => detectPii(text, new Set(['IBAN'])).map((m) => text.slice(m.start, m.end));

describe('IBAN detector', () => {
  it('finds grouped and compact IBANs of many countries, in either case', () => {
    const valid = [
      'DE89 3704 0044 0532 0130 00',
      'GB29NWBK60161331926819',
      'FR14 2004 1010 0505 0001 3M02 606',
      'NL91 ABNA 0417 1643 00',
      'BE68 5390 0754 7034',
      'CH93 0076 2011 6238 5295 7',
      'NO93 8601 1117 947',
      'MT84 MALT 0110 0001 2345 MTLC AST0 01S',
      'de89 3704 0044 0532 0130 00',
    ];
    for (const n of valid) assert.deepEqual(ibans(`IBAN: ${n}.`), [n], n);
    assert.deepEqual(ibans('GB29NWBK60161331926819'), ['GB29NWBK60161331926819'], 'whole text');
  });

  it('rejects corrupted, wrong-length, unknown-country and glued values', () => {
    const invalid = [
      'DE89 3704 0044 0532 0130 01', // one digit changed: mod-97
      'DE88 3704 0044 0532 0130 00', // check digits changed
      'DE89 3704 0044 0532 0130 0', // one short
      'DE89 3704 0044 0532 0130 000', // one long
      'XX89 3704 0044 0532 0130 00', // no such country
      'ADE89370400440532013000', // glued
      'DE89 37040 04405 32013 000', // grouped in fives
    ];
    for (const n of invalid) assert.deepEqual(ibans(n), [], n);
  });

  it('mod-97 of a valid IBAN is 1', () => {
    assert.equal(mod97('GB82WEST12345698765432'), 1);
    assert.notEqual(mod97('GB82WEST12345698765433'), 1);
  });
});
