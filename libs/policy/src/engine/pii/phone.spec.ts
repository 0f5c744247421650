import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectPii } from './index';

const phones = (text: string): string[] => detectPii(text, new Set(['PHONE'])).map((m) => text.slice(m.start, m.end));

describe('PHONE detector', () => {
  it('finds US numbers in national formats', () => {
    for (const n of ['(415) 555-2671', '415-555-2671', '415.555.2671', '415 555 2671', '1-415-555-2671', '(415)555-2671']) {
      assert.deepEqual(phones(`call ${n} today`), [n], n);
    }
  });

  it('finds E.164 numbers, grouped or compact, of any country', () => {
    for (const n of ['+14155552671', '+1 (415) 555-2671', '+44 20 7946 0958', '+44 (0)20 7946 0958', '+49 30 70340628', '+33 1 42 68 53 00', '+81 3-1234-5678', '+61 2 9374 4000', '+91 98765 43210']) {
      assert.deepEqual(phones(`tel ${n}.`), [n], n);
    }
    assert.deepEqual(phones('0049 30 70340628'), ['0049 30 70340628'], 'international prefix 00');
  });

  it('finds UK, German and French national numbers with their trunk 0', () => {
    for (const n of ['020 7946 0958', '07911 123456', '030 70340628', '030/70340628', '089 1234567', '01 42 68 53 00', '06.12.34.56.78']) {
      assert.deepEqual(phones(`Tel: ${n}`), [n], n);
    }
  });

  it('never reads a bare digit run (without + or separators) as a phone', () => {
    assert.deepEqual(phones('4155552671 and 02079460958'), []);
    assert.deepEqual(phones('+4155'), [], 'too short even with +');
  });

  it('rejects order numbers, dates, timestamps, UUIDs, IPs, SSN layouts and invalid numbers', () => {
    const invalid = [
      'ORD-2024-558812',
      '2024-05-12',
      '12/05/2024',
      '2024-05-12T10:30:00Z',
      '1716200000',
      '123e4567-e89b-12d3-a456-426614174000',
      '34.121.26.184',
      '123-45-6789',
      '098-22-5699',
      'ticket 123-456-789',
      '(555) 123-4567', // no such area code
      '415-111-2671', // exchange cannot start with 1
      '415-555-2671x',
      'v415.555.2671',
      '+999 1234 5678',
      '0417-9496-7243', // a card or IBAN fragment in blocks of four
    ];
    for (const t of invalid) assert.deepEqual(phones(t), [], t);
  });

  it('keeps parentheses out when they do not close into digits', () => {
    assert.deepEqual(phones('(call 415-555-2671)'), ['415-555-2671']);
    assert.deepEqual(phones('(415-555-2671)'), ['415-555-2671']);
  });

  it('reports exact offsets at the text edges', () => {
    const text = '(415) 555-2671';
    assert.deepEqual(detectPii(text), [{ type: 'PHONE', start: 0, end: text.length }]);
  });
});
