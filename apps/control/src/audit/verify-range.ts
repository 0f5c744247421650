import { IdentityError } from '@gw/identity';

/** One bound of `GET /api/audit/verify`: a chain position (`seq`), or a time (events created from/before it). */
export type VerifyBound = { seq: number } | { at: Date } | null;

const SEQ = /^[1-9][0-9]{0,15}$/;
const ALLOWED = new Set(['from', 'to']);

function bound(name: string, raw: unknown): VerifyBound {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || raw === '') throw IdentityError.invalid(`${name}: a sequence number (1, 2, …) or an ISO-8601 time is required`, name);
  if (SEQ.test(raw)) return { seq: Number(raw) };
  const at = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(raw) ? new Date(raw) : new Date(NaN);
  if (Number.isNaN(at.getTime())) throw IdentityError.invalid(`${name}: "${raw.slice(0, 64)}" is neither a sequence number nor an ISO-8601 time`, name);
  return { at };
}

/** `from` and `to` of the query string; unknown or repeated parameters are refused (400 naming them). */
export function parseVerifyRange(query: unknown): { from: VerifyBound; to: VerifyBound } {
  const q = (query ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(q)) {
    if (!ALLOWED.has(k)) throw IdentityError.invalid(`${k.slice(0, 64)}: unknown parameter (accepted: from, to)`, k.slice(0, 64));
    if (Array.isArray(v)) throw IdentityError.invalid(`${k}: given more than once`, k);
  }
  return { from: bound('from', q.from), to: bound('to', q.to) };
}
