import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { AuditCheckpoint } from '../audit-event.types';
import { keyIdOf } from '../checkpoint-signer';
import { checkpointMessage } from '../entry-hash';

/** Outcome of checking one checkpoint's signature. */
export type SignatureCheck = 'ok' | 'unknown_key' | 'bad_signature';

const PEM = /-----BEGIN [A-Z ]+-----/;
const BASE64 = /^[A-Za-z0-9+/\r\n]+={0,2}$/;

/**
 * An Ed25519 public key from PEM (SPKI) or from base64 SPKI DER (the form an export embeds and the API serves).
 * Refuses any other key type: a verifier that accepted an RSA key would only ever say "bad signature", which reads
 * like tampering when the real problem is the wrong key file.
 */
export function loadPublicKey(pemOrBase64Der: string): KeyObject {
  const text = pemOrBase64Der.replace(/\\n/g, '\n').trim();
  let key: KeyObject;
  if (PEM.test(text)) key = createPublicKey(text);
  else if (BASE64.test(text)) key = spkiDer(Buffer.from(text, 'base64'));
  else throw new TypeError('not a public key: expected PEM or base64 SPKI DER');
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`not an Ed25519 public key (${key.asymmetricKeyType ?? 'unknown type'})`);
  return key;
}

function spkiDer(der: Buffer): KeyObject {
  try {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch (err) {
    throw new TypeError(`not a public key: base64 that is not SPKI DER (${(err as Error).message})`, { cause: err });
  }
}

/** Base64 SPKI DER of a public key: the form an export's `public_keys` holds. */
export const publicKeyBase64 = (key: KeyObject): string => key.export({ type: 'spki', format: 'der' }).toString('base64');

/**
 * Keys by the id checkpoints name them with, computed from each key itself (never taken from a label that came
 * with it, so a mislabelled key cannot stand in for another).
 */
export function keysById(keys: Iterable<KeyObject>): Map<string, KeyObject> {
  return new Map([...keys].map((k) => [keyIdOf(k), k] as const));
}

/**
 * Whether `cp.signature` is a valid Ed25519 signature over {@link checkpointMessage} by the key `cp.key_id` names.
 * A malformed signature is a bad one, not an exception: verification must report, never crash.
 */
export function verifyCheckpointSignature(cp: AuditCheckpoint, publicKeys: ReadonlyMap<string, KeyObject>): SignatureCheck {
  const key = publicKeys.get(cp.key_id);
  if (!key) return 'unknown_key';
  try {
    return verify(null, checkpointMessage(cp), key, Buffer.from(cp.signature, 'base64')) ? 'ok' : 'bad_signature';
  } catch {
    return 'bad_signature';
  }
}

export { keyIdOf };
