import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecretBox, SecretBoxError } from './secret-box';

const key = randomBytes(32);
const box = new SecretBox(key);
const SEALED = /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/;

/** Flips one bit of the decoded part `index` (1 IV, 2 ciphertext, 3 tag) of a sealed value. */
function flip(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index], 'base64url');
  bytes[0] ^= 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

function refused(fn: () => unknown, pattern: RegExp, secretText?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SecretBoxError);
    assert.match(err.message, pattern);
    if (secretText) assert.ok(!err.message.includes(secretText), 'the error quotes the sealed value');
    return true;
  });
}

describe('SecretBox', () => {
  it('round-trips text, unicode and the empty string', () => {
    for (const text of ['whsec_0123456789abcdef', 'clé secrète ✓ 🔑', '']) {
      const sealed = box.seal(text);
      assert.match(sealed, SEALED);
      assert.equal(box.open(sealed), text);
    }
  });

  it('uses a fresh IV per seal, so equal secrets do not look equal at rest', () => {
    const a = box.seal('same secret value');
    const b = box.seal('same secret value');
    assert.notEqual(a, b);
    assert.notEqual(a.split('.')[1], b.split('.')[1]);
    assert.ok(!a.includes(Buffer.from('same secret value').toString('base64url')));
  });

  it('detects tampering with the IV, the ciphertext or the tag', () => {
    const sealed = box.seal('whsec_0123456789abcdef');
    for (const part of [1, 2, 3]) refused(() => box.open(flip(sealed, part)), /failed authentication/, sealed);
  });

  it('refuses another key and another associated context', () => {
    const sealed = box.seal('token-123456', 'connector-a');
    refused(() => new SecretBox(randomBytes(32)).open(sealed, 'connector-a'), /wrong key, or the value was altered/);
    refused(() => box.open(sealed, 'connector-b'), /failed authentication/);
    assert.equal(box.open(sealed, 'connector-a'), 'token-123456');
  });

  it('refuses malformed values with a clear error', () => {
    for (const bad of ['', 'plaintext', 'v2.a.b.c', 'v1.a.b', 'v1.@@.b.c', box.seal('x').replace(/\.[^.]+$/, '.AAAA')]) {
      refused(() => box.open(bad), /malformed/);
    }
  });

  it('requires a 32-byte key', () => {
    refused(() => new SecretBox(randomBytes(31)), /exactly 32 bytes/);
    assert.equal(SecretBox.fromBase64(key.toString('base64')).open(box.seal('k')), 'k');
  });

  it('tells sealed values from plain ones', () => {
    assert.ok(SecretBox.isSealed(box.seal('x')));
    assert.ok(!SecretBox.isSealed('Bearer abc.def'));
  });
});

describe('SecretBox configs', () => {
  const config = {
    url: 'https://siem.example.com/hook',
    secret: 'whsec_0123456789abcdef',
    headers: { authorization: 'Bearer tok_abc', 'x-team': 'audit' },
    timeout_ms: 10_000,
    verify_tls: true,
  };

  it('seals the secret fields only and opens them back', () => {
    const sealed = box.sealConfig('webhook', config, 'conn-1');
    assert.equal(sealed.url, config.url);
    assert.equal(sealed.timeout_ms, 10_000);
    assert.deepEqual(Object.keys(sealed.headers), ['authorization', 'x-team']);
    for (const v of [sealed.secret, sealed.headers.authorization, sealed.headers['x-team']]) assert.match(v, SEALED);
    assert.ok(!JSON.stringify(sealed).includes('tok_abc'));
    assert.deepEqual(box.openConfig('webhook', sealed, 'conn-1'), config);
    assert.deepEqual(config.headers.authorization, 'Bearer tok_abc', 'the input is not modified');
  });

  it('seals per kind: the Splunk token, the S3 secret key', () => {
    const hec = box.sealConfig('splunk_hec', { url: 'https://s:8088/services/collector/event', token: 'hec-token-1', sourcetype: '_json' });
    assert.match(hec.token, SEALED);
    assert.equal(hec.sourcetype, '_json');
    const s3 = box.sealConfig('s3', { bucket: 'b', access_key_id: 'AKIA1', secret_access_key: 'sk/123' });
    assert.equal(s3.access_key_id, 'AKIA1');
    assert.equal(box.openConfig('s3', s3).secret_access_key, 'sk/123');
  });

  it('binds each value to its field and connector: a moved value does not open', () => {
    const sealed = box.sealConfig('webhook', config, 'conn-1');
    const moved = { ...sealed, headers: { ...sealed.headers, authorization: sealed.secret } };
    refused(() => box.openConfig('webhook', moved, 'conn-1'), /field 'headers\.authorization'.*failed authentication/);
    refused(() => box.openConfig('webhook', sealed, 'conn-2'), /field 'secret'/);
  });
});
