import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectPii } from './index';
import { PII_TYPES, type PiiMatch, type PiiType } from '../types';

const shown = (text: string, types?: ReadonlySet<PiiType>): string[] => detectPii(text, types).map((m) => `${m.type}:${text.slice(m.start, m.end)}`);

function assertWellFormed(text: string, found: PiiMatch[]): void {
  let end = 0;
  for (const m of found) {
    assert.ok(PII_TYPES.includes(m.type));
    assert.ok(m.start >= end && m.end > m.start && m.end <= text.length, `${m.type} ${m.start}-${m.end} after ${end}`);
    end = m.end;
  }
}

/** Deterministic pseudo-random strings over an alphabet rich in the detectors' trigger characters. */
function* fuzzInputs(count: number): Generator<string> {
  const pieces = ['1', '4', '0', '9', ' ', '-', '.', ':', '::', '@', '+', '(', ')', '/', '%', 'a', 'F', 'x', 'DE', 'sk-', 'ak_', 'AKIA', 'ghp_', 'eyJ', '-----BEGIN ', 'PRIVATE KEY-----', '-----END ', '\n', '\0', '\uD800', '\uDC00', 'é', '例', 'SSN ', '=', '_'];
  let s = 0x2545f491;
  const next = () => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), s >>> 0);
  for (let i = 0; i < count; i++) {
    let text = '';
    const n = next() % 120;
    for (let j = 0; j < n; j++) text += pieces[next() % pieces.length];
    yield text;
  }
}

describe('detectPii', () => {
  it('returns every type, sorted and non-overlapping, in the offsets of the text', () => {
    const text = 'Mail a@b.io, call +1 415 555 2671, SSN 123-45-6789, card 4111 1111 1111 1111, IBAN GB29 NWBK 6016 1331 9268 19, host 10.1.2.3, key AKIAIOSFODNN7EXAMPLE';
    assert.deepEqual(shown(text), [
      'EMAIL:a@b.io',
      'PHONE:+1 415 555 2671',
      'US_SSN:123-45-6789',
      'CREDIT_CARD:4111 1111 1111 1111',
      'IBAN:GB29 NWBK 6016 1331 9268 19',
      'IP_ADDRESS:10.1.2.3',
      'SECRET:AKIAIOSFODNN7EXAMPLE',
    ]);
  });

  it('resolves overlaps by priority: SECRET > EMAIL > … > PHONE', () => {
    assert.deepEqual(shown('415-555-2671@example.com'), ['EMAIL:415-555-2671@example.com']);
    const key = 'sk-4fX9kQ2mZ7pL1vB8nR3tY6wC0dE5gH2jK9mN4pQ7sT1uV8xZ';
    assert.deepEqual(shown(`${key}@example.com`), [`SECRET:${key}`]);
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nowner: ops@example.com card 4111 1111 1111 1111\n-----END PRIVATE KEY-----';
    assert.deepEqual(shown(`x ${pem} y`), [`SECRET:${pem}`]);
  });

  it('reports a subset of types as the full result filtered (higher-priority detectors still suppress)', () => {
    const text = '415-555-2671@example.com and 415-555-2671';
    assert.deepEqual(shown(text, new Set(['PHONE'])), ['PHONE:415-555-2671']);
    assert.deepEqual(shown(text, new Set(['EMAIL'])), ['EMAIL:415-555-2671@example.com']);
    assert.deepEqual(shown(text, new Set()), []);
    assert.deepEqual(shown(''), []);
  });

  it('never throws, and stays well-formed, on fuzzed input with lone surrogates and NULs', () => {
    let total = 0;
    for (const text of fuzzInputs(3000)) {
      const found = detectPii(text);
      assertWellFormed(text, found);
      total += found.length;
    }
    assert.ok(total > 0, 'the fuzz alphabet does produce matches');
    assert.deepEqual(shown('\uD800415-555-2671\uDC00\0a@b.io\0'), ['PHONE:415-555-2671', 'EMAIL:a@b.io']);
  });

  it('scans 1 MiB of hostile input in well under a second each (linear time)', () => {
    const MiB = 1 << 20;
    const fill = (unit: string) => unit.repeat(Math.ceil(MiB / unit.length)).slice(0, MiB);
    const hostile: Record<string, string> = {
      "'1-' runs": fill('1-'),
      "'1 ' runs": fill('1 '),
      "'1.' runs": fill('1.'),
      'one digit run': fill('1'),
      "'+1 ' runs": fill('+1 '),
      "'(1) ' runs": fill('(1) '),
      "'a@' runs": fill('a@'),
      "'a.' runs then @": fill('a.').slice(1) + '@',
      '@ then a 1 MiB domain': '@' + fill('a.'),
      "':' run": fill(':'),
      "'::' and hex": fill('a::'),
      "'1:' runs": fill('1:'),
      'BEGIN without END': fill('-----BEGIN RSA PRIVATE KEY-----'),
      'BEGIN lines with bodies, no END': fill('-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n'),
      'END without BEGIN': fill('-----END RSA PRIVATE KEY-----'),
      'JWT-like headers': fill('eyJhbGciOiJIUzI1NiJ9.'),
      "'sk-' runs": fill('sk-'),
      'sk- and a long body': 'sk-' + fill('aB1'),
      'IBAN prefixes': fill('DE89 '),
      'SSN-like groups': fill('123-45-'),
    };
    for (const [name, text] of Object.entries(hostile)) {
      const t0 = performance.now();
      const found = detectPii(text);
      const ms = performance.now() - t0;
      assertWellFormed(text, found);
      assert.ok(ms < 1000, `${name}: ${ms.toFixed(0)} ms`);
    }
  });
});
