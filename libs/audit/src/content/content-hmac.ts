import { createHmac, createSecretKey, hkdfSync, type Hmac, type KeyObject } from 'node:crypto';

/**
 * Per-organisation HMAC keys for `prompt_hmac` / `output_hmac`: HKDF-SHA256 of one master secret with the org id as
 * `info`, so each org's digests are unrelated to every other org's, and nobody without the master (an operator
 * reading the table, an exported file) can test guesses against a digest. Keys are cached per org, as KeyObjects:
 * `createHmac` with a Buffer key imports it anew on every call (4.6 µs per HMAC here against 2.7 µs with a
 * KeyObject; two per request).
 */
export class ContentHmacKeys {
  private readonly keys = new Map<string, KeyObject>();

  constructor(private readonly master: Buffer) {
    if (master.length < 32) throw new Error('the audit HMAC master secret must be at least 32 bytes');
  }

  keyFor(orgId: string): KeyObject {
    let key = this.keys.get(orgId);
    if (!key) {
      key = createSecretKey(Buffer.from(hkdfSync('sha256', this.master, 'policy-gateway audit content hmac v1', orgId, 32)));
      if (this.keys.size > 100_000) this.keys.clear();
      this.keys.set(orgId, key);
    }
    return key;
  }

  /** Hex HMAC-SHA256 of the exact UTF-8 of `text` under the org's key (what an auditor's check computes too). */
  hmac(orgId: string, text: string): string {
    return createHmac('sha256', this.keyFor(orgId)).update(text, 'utf8').digest('hex');
  }

  /** An incremental digest of one request: the prompt once, the output as it streams. */
  digest(orgId: string): RequestContentDigest {
    return new RequestContentDigest(this, orgId);
  }
}

/** Output text gathered before it is fed to the HMAC: one native call per ~4 KB rather than one per delta. */
const OUTPUT_CHUNK = 4096;

/** The two digests of one request; the output is fed delta by delta (HMAC of the concatenation). */
export class RequestContentDigest {
  private promptHmac: string | null = null;
  private out: Hmac | null = null;
  private pending = '';

  constructor(
    private readonly keys: ContentHmacKeys,
    private readonly orgId: string,
  ) {}

  prompt(text: string): void {
    this.promptHmac = this.keys.hmac(this.orgId, text);
  }

  output(delta: string): void {
    this.out ??= createHmac('sha256', this.keys.keyFor(this.orgId));
    this.pending += delta;
    if (this.pending.length >= OUTPUT_CHUNK) this.feed(false);
  }

  /** The digests (null where nothing was seen). Ends the output digest. */
  digests(): { prompt_hmac: string | null; output_hmac: string | null } {
    if (this.out) this.feed(true);
    const output = this.out ? this.out.digest('hex') : null;
    this.out = null;
    return { prompt_hmac: this.promptHmac, output_hmac: output };
  }

  // A surrogate pair split across two deltas is joined here before encoding, so the UTF-8 is the concatenation's.
  private feed(final: boolean): void {
    const cut = !final && isHighSurrogate(this.pending.charCodeAt(this.pending.length - 1)) ? this.pending.length - 1 : this.pending.length;
    this.out!.update(this.pending.slice(0, cut), 'utf8');
    this.pending = this.pending.slice(cut);
  }
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

/**
 * The master secret: AUDIT_HMAC_KEY, else derived from the login-token secret (HKDF, its own label), which every
 * replica already shares, so the embedded mode and a first production start need nothing more. Setting
 * AUDIT_HMAC_KEY separately lets the JWT secret rotate without changing the digests.
 */
export function contentHmacMaster(auditHmacKey: string | undefined, jwtSecret: string): Buffer {
  if (auditHmacKey) return Buffer.from(auditHmacKey, 'utf8');
  return Buffer.from(hkdfSync('sha256', Buffer.from(jwtSecret, 'utf8'), 'policy-gateway', 'audit content hmac master v1', 32));
}
