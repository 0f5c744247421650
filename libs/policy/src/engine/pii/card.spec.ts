import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { knownIssuer, luhnValid } from './card';
import { detectPii } from './index';

const cards = (text: string): string[] => detectPii(text, new Set(['CREDIT_CARD'])).map((m) => text.slice(m.start, m.end));

describe('CREDIT_CARD detector', () => {
  it('finds Luhn-valid numbers of known issuers, compact, spaced or dashed', () => {
    const valid = [
      '4111111111111111', // Visa 16
      '4222222222222', // Visa 13
      '4111 1111 1111 1111 003', // Visa 19
      '5555-5555-5555-4444', // Mastercard
      '2223 0031 2200 3222', // Mastercard 2-series
      '3782 822463 10005', // Amex 4-6-5
      '6011 1111 1111 1117', // Discover
      '3530 1113 3330 0000', // JCB
      '3056 930902 5904', // Diners 14
      '6200 0000 0000 0005', // UnionPay
    ];
    for (const n of valid) assert.deepEqual(cards(`card ${n}.`), [n], n);
  });

  it('rejects Luhn failures, unknown prefixes, wrong lengths and longer runs', () => {
    const invalid = [
      '4111 1111 1111 1112', // Luhn
      '9111 1111 1111 1114', // Luhn-valid, no issuer
      '3782 8224 6310 0051', // Amex prefix at 16 digits
      '4111 1111 1111 1111 1234', // inside a 20-digit run
      'INV 1234 5678 9012', // 12 digits
      '1700000000000', // a Unix timestamp in ms
      'ACCT-4111-1111-1111-1111', // glued to a token
      '4111111111111111x',
    ];
    for (const n of invalid) assert.deepEqual(cards(n), [], n);
  });

  it('Luhn and issuer tables', () => {
    assert.equal(luhnValid('79927398713'), true);
    assert.equal(luhnValid('79927398710'), false);
    assert.equal(knownIssuer('6759649826438453'), true, 'Maestro');
    assert.equal(knownIssuer('2720999999999999'), true);
    assert.equal(knownIssuer('2721000000000000'), false);
  });

  it('reports the value at the text edges with exact offsets', () => {
    const text = '4111-1111-1111-1111';
    assert.deepEqual(detectPii(text), [{ type: 'CREDIT_CARD', start: 0, end: text.length }]);
  });
});
