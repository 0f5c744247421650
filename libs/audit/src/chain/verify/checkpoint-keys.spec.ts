import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { keyIdOf, keysById, loadPublicKey, publicKeyBase64, verifyCheckpointSignature } from './checkpoint-keys';
import { buildChain, newSigner } from './verify.fixture';

const fx = buildChain(10, 5);
const cp = fx.checkpoints[0];

describe('checkpoint keys', () => {
  it('loads a key from PEM, from PEM with escaped newlines (env style) and from base64 SPKI DER, all with the same id', () => {
    const pem = fx.signer.publicKeyPem;
    for (const text of [pem, pem.replace(/\n/g, '\\n'), publicKeyBase64(fx.signer.publicKey), ` ${publicKeyBase64(fx.signer.publicKey)}\n`]) {
      assert.equal(keyIdOf(loadPublicKey(text)), fx.signer.keyId);
    }
    assert.match(fx.signer.keyId, /^[0-9a-f]{16}$/);
  });

  it('refuses keys that are not Ed25519 public keys, and text that is no key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    assert.throws(() => loadPublicKey(rsa), /not an Ed25519 public key \(rsa\)/);
    assert.throws(() => loadPublicKey('/no/such/key.pem'), /not a public key/);
    assert.throws(() => loadPublicKey('AAAA'), /not a public key: base64 that is not SPKI DER/);
    assert.throws(() => loadPublicKey('not a key'), /not a public key: expected PEM or base64 SPKI DER/);
  });

  it('verifies a checkpoint signature; any signed field changed, a foreign key or garbage is reported, never thrown', () => {
    assert.equal(verifyCheckpointSignature(cp, fx.keys), 'ok');
    for (const forged of [{ ...cp, seq: cp.seq + 1 }, { ...cp, entry_hash: 'a'.repeat(64) }, { ...cp, org_id: 'x' }, { ...cp, created_at: '2030-01-01T00:00:00.000Z' }, { ...cp, signature: '' }, { ...cp, signature: '%%%' }]) {
      assert.equal(verifyCheckpointSignature(forged, fx.keys), 'bad_signature', JSON.stringify(forged));
    }
    const other = newSigner();
    assert.equal(verifyCheckpointSignature(other.sign(cp), fx.keys), 'unknown_key');
    assert.equal(verifyCheckpointSignature({ ...cp, signature: other.sign(cp).signature }, fx.keys), 'bad_signature', 'a signature by another key under a trusted id');
    assert.equal(verifyCheckpointSignature(other.sign(cp), keysById([fx.signer.publicKey, other.publicKey])), 'ok');
  });
});
