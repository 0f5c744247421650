/**
 * Makes values safe to store: Postgres `text` rejects NUL (22021), `jsonb` rejects `\u0000` and lone
 * surrogate escapes (22P05), and integer columns reject out-of-range numbers (22003). A record that
 * carries one of these must never poison the batch it travels in, so producers pass their values
 * through these helpers before enqueueing (defence in depth; writers also dead-letter what slips by).
 */

const REPLACEMENT = '\uFFFD';
// NUL, or a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Any NUL or surrogate at all: a plain class, no lookaround, so the common text without either is one fast scan. */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const MAYBE_UNSAFE = /[\u0000\uD800-\uDFFF]/;

export const INT2_MAX = 32_767;
export const INT4_MAX = 2_147_483_647;

/** NUL and lone surrogates become U+FFFD; at most `maxLength` UTF-16 units are kept (a cut surrogate pair is replaced too). */
export function safeText(value: string, maxLength = Infinity): string {
  const cut = value.length > maxLength ? value.slice(0, maxLength) : value;
  return MAYBE_UNSAFE.test(cut) ? cut.replace(UNSAFE, REPLACEMENT) : cut;
}

/** {@link safeText} for nullable fields; non-strings become null. */
export function safeTextOrNull(value: unknown, maxLength = Infinity): string | null {
  return typeof value === 'string' ? safeText(value, maxLength) : null;
}

/** A finite integer within [min, max]: rounds, clamps, and maps NaN/non-numbers to `fallback`. */
export function clampInt(value: unknown, min: number, max: number, fallback = min): number {
  if (typeof value !== 'number' || Number.isNaN(value)) return fallback;
  return Math.min(max, Math.max(min, Math.round(value)));
}

/** A finite number in [0, max]: NaN, negatives and non-numbers become 0, +Infinity becomes `max`. */
export function finiteNonNegative(value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) return 0;
  return Math.min(value, max);
}

/** An ISO-8601 timestamp Postgres accepts (years 1..9999), else `fallback`. */
export function safeIsoTime(value: unknown, fallback: () => string = () => new Date().toISOString()): string {
  if (typeof value === 'string' && isCanonicalIsoTime(value)) return value; // what toISOString would give back
  const ms = typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : NaN;
  // 0001-01-01 .. 9999-12-31: what both JS's toISOString and Postgres's timestamptz agree on.
  if (!Number.isFinite(ms) || ms < -62_135_596_800_000 || ms > 253_402_300_799_999) return fallback();
  return new Date(ms).toISOString();
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The value of the ASCII digits of `s` at [from, to), or -1 if one is not a digit. */
function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * True for exactly what `new Date(ms).toISOString()` prints for years 1..9999: `YYYY-MM-DDTHH:mm:ss.sssZ` naming a real
 * day (Date.parse rolls Feb 30 over to Mar 2, so a string is canonical only if its fields are in range). Every
 * timestamp the gateway makes is canonical, so {@link safeIsoTime} returns it without parsing and printing it again
 * (three per audit record, ~0.6 µs each).
 */
function isCanonicalIsoTime(s: string): boolean {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return false; // - - T
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return false; // : : . Z
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 7);
  const day = digits(s, 8, 10);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return false;
  const hour = digits(s, 11, 13);
  const minute = digits(s, 14, 16);
  const second = digits(s, 17, 19);
  return hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60 && digits(s, 20, 23) >= 0;
}

/**
 * A value JSON and `jsonb` accept: strings (and keys) through {@link safeText}, non-finite numbers as null,
 * functions/undefined dropped (as JSON.stringify does), depth bounded. A value that needs none of that is returned
 * as it is (a walk that allocates nothing: every audit and billing record passes here, and nearly all are clean);
 * otherwise a sanitised deep copy. So the result may share objects with `value`: sanitise what is no longer changed.
 */
export function sanitizeJson(value: unknown, maxDepth = 32): unknown {
  return isStorable(value, maxDepth) ? value : sanitizedCopy(value, maxDepth);
}

/** True when {@link sanitizedCopy} would change nothing: plain objects and arrays of clean strings and finite numbers. */
function isStorable(value: unknown, maxDepth: number): boolean {
  const type = typeof value;
  if (type === 'string') return !MAYBE_UNSAFE.test(value as string);
  if (type === 'number') return Number.isFinite(value);
  if (type === 'boolean') return true;
  if (type !== 'object') return false; // bigint, undefined, functions, symbols: the copy converts or drops them
  if (value === null) return true;
  if (maxDepth <= 0) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (value[i] === undefined || !isStorable(value[i], maxDepth - 1)) return false;
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false; // a Date, a class instance: the copy decides
  const obj = value as Record<string, unknown>;
  for (const k in obj) {
    if (MAYBE_UNSAFE.test(k) || !isStorable(obj[k], maxDepth - 1)) return false;
  }
  return true;
}

function sanitizedCopy(value: unknown, maxDepth: number): unknown {
  if (typeof value === 'string') return safeText(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  if (maxDepth <= 0) return null;
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.toISOString() : null;
  if (Array.isArray(value)) {
    const arr = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) arr[i] = sanitizedCopy(value[i], maxDepth - 1) ?? null;
    return arr;
  }
  // Object.keys rather than entries: no [key, value] pair per property. Below a value that needed a copy, everything
  // is copied without checking again (checking each level first would walk a deep value once per level).
  const out: Record<string, unknown> = {};
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const clean = sanitizedCopy(obj[k], maxDepth - 1);
    if (clean !== undefined) out[safeText(k)] = clean;
  }
  return out;
}
