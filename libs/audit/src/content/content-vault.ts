import { createHash, hkdfSync } from 'node:crypto';
import type { AuditRecordContent } from '../audit-record';
import { SecretBox } from '../connectors/secret-box';

/** Fields of a request's retained content. */
export type ContentField = 'prompt' | 'output';

/** Longest text kept per field (UTF-16 units): beyond most context windows, small enough for a queue job. */
export const MAX_RETAINED_CHARS = 1_000_000;

/** What the gateway retains of one request, before sealing. `null`: nothing seen (a refused request has no output). */
export interface ContentTexts {
  prompt: string | null;
  output: string | null;
}

/** First 8 hex characters of SHA-256 of the key: names it in every row, so a rotation is detected, not guessed. */
export const contentKeyId = (key: Buffer): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

/**
 * The content key: AUDIT_CONTENT_KEY (base64, 32 bytes), else derived from the login-token secret (HKDF, its own
 * label). Not a file in DATA_DIR like the signing key: the inference plane seals and the control plane opens, and
 * only a secret every replica of both already shares makes that work without a shared disk.
 */
export function contentKey(configured: string | undefined, jwtSecret: string): Buffer {
  if (configured) return Buffer.from(configured.trim(), 'base64');
  return Buffer.from(hkdfSync('sha256', Buffer.from(jwtSecret, 'utf8'), 'policy-gateway', 'audit content v1', 32));
}

/**
 * Seals and opens retained prompt/output text (AES-256-GCM through {@link SecretBox}). Each value is bound (AAD) to
 * its organisation, event and field, so a database writer cannot move one org's text under another org's event,
 * or a prompt into an output. Never logs or returns the key.
 */
export class ContentVault {
  readonly keyId: string;
  private readonly box: SecretBox;

  /** `defaultDays`: how long content is kept when the policy says nothing (AUDIT_CONTENT_RETENTION_DAYS). */
  constructor(
    key32: Buffer,
    readonly defaultDays: number,
  ) {
    this.box = new SecretBox(key32);
    this.keyId = contentKeyId(key32);
  }

  /**
   * The record's `content`: each text cut to {@link MAX_RETAINED_CHARS} and sealed; `expires_at` `days` (else the
   * default) after `at`. `orgId`/`eventId` are the event's own (lower-case uuids, as the row stores them).
   */
  seal(orgId: string, eventId: string, texts: ContentTexts, at: Date, days: number | null): AuditRecordContent {
    const out: AuditRecordContent = { expires_at: new Date(at.getTime() + (days ?? this.defaultDays) * 86_400_000).toISOString(), key_id: this.keyId };
    const truncated: ContentField[] = [];
    for (const field of ['prompt', 'output'] as const) {
      const text = texts[field];
      if (text === null) continue;
      if (text.length > MAX_RETAINED_CHARS) truncated.push(field);
      out[field] = this.box.seal(text.length > MAX_RETAINED_CHARS ? text.slice(0, MAX_RETAINED_CHARS) : text, aad(orgId, eventId, field));
    }
    if (truncated.length) out.truncated = truncated;
    return out;
  }

  /** The text of a sealed field; throws `SecretBoxError` when it was sealed with another key or for another event. */
  open(orgId: string, eventId: string, field: ContentField, sealed: string): string {
    return this.box.open(sealed, aad(orgId, eventId, field));
  }
}

/** NUL-separated: none of the parts can hold a NUL. */
const aad = (orgId: string, eventId: string, field: ContentField): string => `audit-content\u0000${orgId}\u0000${eventId}\u0000${field}`;

/** The vault of a process: {@link contentKey} and AUDIT_CONTENT_RETENTION_DAYS. Both planes build the same one. */
export const contentVault = (configured: string | undefined, jwtSecret: string, defaultDays: number): ContentVault =>
  new ContentVault(contentKey(configured, jwtSecret), defaultDays);
