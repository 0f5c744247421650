import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectPii } from './index';
import { decodeBase64url } from './jwt';
import { randomish } from './secret';

const secrets = (text: string): string[] => detectPii(text, new Set(['SECRET'])).map((m) => text.slice(m.start, m.end));
const b64url = (s: string): string => Buffer.from(s).toString('base64url');
const JWT = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"1234567890","name":"John Doe","iat":1516239022}')}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;
const KEY_BODY = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\nLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw';
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${KEY_BODY}\n-----END RSA PRIVATE KEY-----`;

describe('SECRET detector', () => {
  it('finds API keys by prefix', () => {
    const keys = [
      'sk-4fX9kQ2mZ7pL1vB8nR3tY6wC0dE5gH2jK9mN4pQ7sT1uV8xZ',
      'sk-proj-Ab3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3k_L5mN7-pQ9rS1tU3vW5',
      'sk-ant-api03-Zx8Yw6Vu4Ts2Rq0Po8Nm6Lk4Ji2Hg0Fe8Dc6Ba4Zx2Yw0Vu8Ts6Rq4Po2Nm0AA',
      'ak_9Fh3Kd8Lm2Np5Qr7St1Vw4Xy6Za0Bc',
      'AKIAIOSFODNN7EXAMPLE',
      'ASIAY34FZKBOKMUTVV7A',
      'ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R',
      'github_pat_11ABCDEFG0123456789abc_defGHIJKLmnopQRSTUVwxyz0123456789ABCDEFghijklmnopqrSTUVWX',
      'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
      'glpat-Xy7zAb3Cd9Ef1Gh5Ij2K',
      'sk_live_51HxYz2AbCdEfGhIjKlMnOpQr',
      'rk_live_9aBcDeFgHiJkLmNoPqRsTuVw',
      'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY',
    ];
    for (const k of keys) assert.deepEqual(secrets(`KEY=${k} and more`), [k], k);
    assert.deepEqual(secrets(keys[0]), [keys[0]], 'whole text');
  });

  it('rejects near-misses', () => {
    for (const t of ['task-force', 'sk-1', 'sk-learn', 'sk-this-is-not-a-real-key-at-all', 'AKIA', 'AKIAIOSFODNN7EXAMP', 'AKIAIOSFODNN7EXAMPLEX', 'ASIAPACIFICMARKETSXY', 'ghp_short123', 'xoxb-', 'risk-assessment', 'my_ak_9Fh3Kd8Lm2Np5Qr7St1Vw4Xy6Za0Bc', `sk-${'a'.repeat(40)}`]) {
      assert.deepEqual(secrets(t), [], t);
    }
  });

  it('finds JWTs only when the header decodes to JSON with alg', () => {
    assert.deepEqual(secrets(`Authorization: Bearer ${JWT}.`), [JWT]);
    const none = `${b64url('{"alg":"none"}')}.${b64url('{"sub":"1"}')}.`;
    assert.deepEqual(secrets(`t ${none} x`), [none], 'unsigned token');
    assert.deepEqual(secrets(`${b64url('{"typ":"JWT"}')}.${b64url('{"a":1}')}.SflKxwRJSMeKKF2QT4fw`), [], 'no alg');
    assert.deepEqual(secrets('eyJhbGciOiJIUzI1NiJ9'), [], 'header only');
    assert.deepEqual(secrets('eyJzzzzzzzzzzzzzzz.abcdefabcdef.abcdefabcdefabcdef'), [], 'not JSON');
    assert.deepEqual(secrets(`${b64url('{"alg":"HS256"}')}.${b64url('{}')}.`), [], 'empty signature needs alg none');
  });

  it('spans a whole PEM private-key block, or to the end of the body without END', () => {
    assert.deepEqual(secrets(`key:\n${PEM}\nthanks`), [PEM]);
    for (const label of ['EC PRIVATE KEY', 'PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']) {
      const block = `-----BEGIN ${label}-----\n${KEY_BODY}\n-----END ${label}-----`;
      assert.deepEqual(secrets(block), [block], label);
    }
    const truncated = `-----BEGIN RSA PRIVATE KEY-----\n${KEY_BODY}`;
    assert.deepEqual(secrets(`${truncated}\n\nThanks for the help`), [truncated]);
    assert.deepEqual(secrets('-----BEGIN PRIVATE KEY-----'), ['-----BEGIN PRIVATE KEY-----'], 'header alone');
  });

  it('skips public keys and certificates', () => {
    for (const label of ['PUBLIC KEY', 'RSA PUBLIC KEY', 'CERTIFICATE']) assert.deepEqual(secrets(`-----BEGIN ${label}-----\n${KEY_BODY}\n-----END ${label}-----`), [], label);
  });

  it('helpers', () => {
    assert.equal(decodeBase64url(b64url('{"alg":"x"}')), '{"alg":"x"}');
    assert.equal(decodeBase64url('a'), null);
    assert.equal(decodeBase64url('ab$c'), null);
    assert.equal(randomish('aaaaaaaaaaaaaaaaaaaaaaaa1'), false);
    assert.equal(randomish('Xy7zAb3Cd9Ef1Gh5Ij2K'), true);
  });
});
