import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditCheckpoint } from './audit-event.types';
import { checkpointMessage } from './entry-hash';

/** First 16 hex characters of SHA-256 over the public key's SPKI DER: names the key in every checkpoint. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** Signs checkpoints with one Ed25519 key (node:crypto; no dependency needed for Ed25519). */
export class CheckpointSigner {
  readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(private readonly privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('AUDIT_SIGNING_KEY: an Ed25519 private key (PKCS#8 PEM) is required');
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  /** PEM (SPKI) of the public key, as served at `GET /api/audit/public-key`. */
  get publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(cp: Omit<AuditCheckpoint, 'key_id' | 'signature'>): AuditCheckpoint {
    const signature = sign(null, checkpointMessage(cp), this.privateKey).toString('base64');
    return { ...cp, key_id: this.keyId, signature };
  }

  /** From a PEM string (config), or from `file`, generating it there (mode 0600) when it does not exist yet. */
  static load(pem: string | undefined, file: string): { signer: CheckpointSigner; generated: boolean } {
    if (pem) return { signer: new CheckpointSigner(createPrivateKey(pem.replace(/\\n/g, '\n'))), generated: false };
    if (existsSync(file)) return { signer: new CheckpointSigner(createPrivateKey(readFileSync(file, 'utf8'))), generated: false };
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return { signer: new CheckpointSigner(privateKey), generated: true };
  }
}
