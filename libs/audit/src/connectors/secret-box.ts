import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { mapSecrets } from './connector-secrets';
import type { ConnectorKind } from './connector.types';

/**
 * Encryption at rest of connector secrets (AES-256-GCM, `node:crypto`). A sealed value is text, safe in a jsonb
 * column: `v1.<iv>.<ciphertext>.<tag>`, each part base64url, with a fresh random 96-bit IV per seal (NIST
 * SP 800-38D's recommended IV size; random IVs are safe for far more seals than connectors will ever make). The
 * version prefix leaves room for a key id or another algorithm later.
 *
 * `sealConfig` binds each value to its field path (and an optional context such as the connector id) as
 * additional authenticated data, so a database writer cannot move a sealed `secret` into a header value, where
 * the sender would send it to the receiver in clear text.
 */

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]*$/;

/** Opening failed: malformed text, another key, or an edited value. Never carries the sealed text. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export class SecretBox {
  private readonly key: Buffer;

  /** `key32`: 32 random bytes (e.g. `openssl rand -base64 32`, decoded), from config, never from the database. */
  constructor(key32: Buffer) {
    if (!Buffer.isBuffer(key32) || key32.length !== 32) throw new SecretBoxError('SecretBox key must be exactly 32 bytes');
    this.key = Buffer.from(key32);
  }

  /** A box from a base64 (or base64url) encoded 32-byte key, as kept in an environment variable. */
  static fromBase64(text: string): SecretBox {
    return new SecretBox(Buffer.from(text.trim(), 'base64'));
  }

  /** True when `value` has the shape of a sealed value (it may still fail to open). */
  static isSealed(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(`${VERSION}.`) && value.split('.').length === 4;
  }

  /** `v1.<iv>.<ciphertext>.<tag>`; `aad` (optional) must be given again to open it. */
  seal(plaintext: string, aad = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, ciphertext, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** The plaintext; throws {@link SecretBoxError} when the value is malformed, tampered with, or sealed with another key or `aad`. */
  open(sealed: string, aad = ''): string {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    if (parts.length !== 4 || parts[0] !== VERSION || !parts.slice(1).every((p) => B64URL.test(p))) {
      throw new SecretBoxError(`sealed secret is malformed (expected ${VERSION}.<iv>.<ciphertext>.<tag>)`);
    }
    const [iv, ciphertext, tag] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('sealed secret is malformed (bad IV or tag length)');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('sealed secret failed authentication: wrong key, or the value was altered');
    }
  }

  /** The config with every secret field ({@link SECRET_FIELDS}) sealed; other fields untouched. */
  sealConfig<T extends object>(kind: ConnectorKind, config: T, context = ''): T {
    return mapSecrets(kind, config, (v, path) => this.seal(v, aadOf(kind, path, context)));
  }

  /** The inverse of {@link sealConfig} (same `context`); throws {@link SecretBoxError} naming the field that fails. */
  openConfig<T extends object>(kind: ConnectorKind, config: T, context = ''): T {
    return mapSecrets(kind, config, (v, path) => {
      try {
        return this.open(v, aadOf(kind, path, context));
      } catch (err) {
        throw new SecretBoxError(`connector field '${path}': ${(err as Error).message}`);
      }
    });
  }
}

/** What a sealed field is bound to: the context, the kind and the field path, NUL-separated (none can hold a NUL). */
const aadOf = (kind: ConnectorKind, path: string, context: string): string => `${context}\u0000${kind}\u0000${path}`;

/**
 * The box of connector secrets: AUDIT_CONNECTOR_KEY (base64, 32 bytes), else a key derived from the login-token
 * secret (HKDF, its own label), which every replica already shares, so the embedded mode and a first production
 * start need nothing more.
 */
export function connectorSecretBox(configured: string | undefined, jwtSecret: string): SecretBox {
  if (configured) return SecretBox.fromBase64(configured);
  return new SecretBox(Buffer.from(hkdfSync('sha256', Buffer.from(jwtSecret, 'utf8'), 'policy-gateway', 'audit connector secrets v1', 32)));
}
