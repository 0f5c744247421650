import { AuditQueryError, quote, type StatusRange } from './audit-query';

/**
 * Parsers of single query-string values. Each takes the parameter's name and its (non-empty string)
 * value, and returns the typed value or throws an {@link AuditQueryError} naming the parameter.
 */

const TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const MAX_TEXT = 256;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function offsetOk(zone: string): boolean {
  if (zone === 'Z') return true;
  const digits = zone.slice(1).replace(':', '');
  return Number(digits.slice(0, 2)) <= 23 && Number(digits.slice(2)) <= 59;
}

/** True when the parts of a matched time name a real calendar instant (V8 would roll `02-30` over to March). */
function validParts(m: RegExpExecArray): boolean {
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7);
  const month = Number(mo);
  if (Number(y) < 1 || month < 1 || month > 12 || Number(d) < 1 || Number(d) > daysIn(Number(y), month)) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return false;
  return m[8] === undefined || offsetOk(m[8]);
}

/**
 * An ISO-8601 time with a zone (`2026-05-01T12:00:00Z`, `…+02:00`, up to 9 fraction digits) or a date
 * (`2026-05-01` = 00:00 UTC that day). Fractions finer than a millisecond round up: stored times are in
 * whole milliseconds, so `>= t` and `< t` select the same rows as with the exact instant.
 */
export function parseTime(param: string, raw: string): Date {
  const m = TIME.exec(raw);
  if (m && m[4] !== undefined && m[8] === undefined) {
    throw new AuditQueryError(param, `${param}: ${quote(raw)} has no time zone; add Z or an offset such as +02:00`);
  }
  if (!m || !validParts(m)) {
    throw new AuditQueryError(param, `${param}: ${quote(raw)} is not a valid time; expected ISO-8601 with a zone (2026-05-01T12:00:00Z) or a date (2026-05-01)`);
  }
  const fraction = m[7] ?? '';
  const zone = m[8] === undefined || m[8] === 'Z' ? 'Z' : `${m[8].slice(0, 3)}:${m[8].slice(-2)}`;
  const base = m[4] === undefined ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}.${fraction.slice(0, 3).padEnd(3, '0')}${zone}`;
  const at = new Date(base);
  if (/[1-9]/.test(fraction.slice(3))) at.setTime(at.getTime() + 1);
  if (Number.isNaN(at.getTime())) throw new AuditQueryError(param, `${param}: ${quote(raw)} is out of range`);
  return at;
}

/**
 * Free text of a filter (ids, codes, names): at most 256 characters, no control characters or lone
 * surrogates (Postgres cannot bind a NUL, and logs must not carry them).
 */
export function parseText(param: string, raw: string): string {
  if (raw.length > MAX_TEXT) throw new AuditQueryError(param, `${param}: at most ${MAX_TEXT} characters`);
  if (CONTROL.test(raw) || LONE_SURROGATE.test(raw)) {
    throw new AuditQueryError(param, `${param}: ${quote(raw)} contains control characters or invalid Unicode`);
  }
  return raw;
}

/** One of `allowed`. */
export function parseEnum<T extends string>(param: string, raw: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new AuditQueryError(param, `${param}: ${quote(raw)} is not one of ${allowed.join(', ')}`);
}

/** A comma-separated list of values of `allowed` (duplicates collapse); order as given. */
export function parseEnumList<T extends string>(param: string, raw: string, allowed: readonly T[]): T[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new AuditQueryError(param, `${param}: empty item in list; expected one or more of ${allowed.join(', ')} separated by commas`);
  return [...new Set(parts.map((p) => parseEnum(param, p, allowed)))];
}

/** An HTTP status: `404`, or a class `4xx` (also `4XX`). */
export function parseStatus(param: string, raw: string): StatusRange {
  if (/^[1-5][0-9]{2}$/.test(raw)) return { min: Number(raw), max: Number(raw) };
  if (/^[1-5]xx$/i.test(raw)) return { min: Number(raw[0]) * 100, max: Number(raw[0]) * 100 + 99 };
  throw new AuditQueryError(param, `${param}: ${quote(raw)} is not an HTTP status; expected 100..599 or a class such as 4xx`);
}

/** A decimal integer in `[min, max]` (no sign, no leading zeros, no exponent). */
export function parseInteger(param: string, raw: string, min: number, max: number): number {
  const n = /^(0|[1-9][0-9]{0,15})$/.test(raw) ? Number(raw) : NaN;
  if (Number.isNaN(n) || n < min || n > max) throw new AuditQueryError(param, `${param}: ${quote(raw)} is not an integer from ${min} to ${max}`);
  return n;
}
