import { AuditQueryError } from './audit-query';

/** Format version of the cursor: bump when its content changes, so an old cursor is refused, not misread. */
const CURSOR_VERSION = 1;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * The opaque page cursor: base64url of `{"v":1,"s":<seq>}`, the last seq of the page. Keyset on the
 * per-org chain position, so a page is stable while new events arrive (they get higher seqs).
 */
export function encodeCursor(seq: number): string {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`cursor seq must be a positive integer, got ${seq}`);
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, s: seq })).toString('base64url');
}

const bad = (why: string) => new AuditQueryError('cursor', `cursor: ${why}; pass the next_cursor of a previous page unchanged`);

/** The seq a cursor carries; throws a 400 naming `cursor` for anything not produced by {@link encodeCursor}. */
export function decodeCursor(raw: string): number {
  if (!BASE64URL.test(raw)) throw bad('not a valid cursor (base64url expected)');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a valid cursor');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad('not a valid cursor');
  const { v, s, ...rest } = value as Record<string, unknown>;
  if (v !== CURSOR_VERSION) throw bad('unsupported cursor version');
  if (Object.keys(rest).length > 0 || typeof s !== 'number' || !Number.isSafeInteger(s) || s < 1) throw bad('not a valid cursor');
  return s;
}
