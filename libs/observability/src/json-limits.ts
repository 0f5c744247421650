import { JsonLimitError, type JsonLimitReason, type JsonPath } from './json-limit-error';

// The error and path notation live in json-limit-error.ts; importers of this module keep finding them here.
export { formatJsonPath, JsonLimitError, type JsonLimitReason, type JsonPath } from './json-limit-error';

/** Structural limits every JSON body must respect before anything recursive (ajv, mappers, JSON.stringify) sees it. */
export interface JsonLimits {
  /** Nested objects/arrays; the body itself is level 1. */
  maxDepth: number;
  /** Items in any one array. */
  maxArrayItems: number;
  /** Containers plus array items and object members in the whole body (bounds the parsed heap). */
  maxValues: number;
}

const QUOTE = 34;
const BACKSLASH = 92;
const U = 117;

/**
 * Checks a raw JSON body in one iterative pass over its UTF-8 bytes (no recursion, no parse): nesting
 * depth, array lengths, the number of values, and that no string or key holds a NUL or a lone surrogate.
 * Every byte that matters (`"`, `\\`, brackets, `,`, `\\u` escapes) is ASCII, which never occurs inside a
 * multi-byte UTF-8 sequence, so bytes can be judged one by one. (A loop over the decoded string with
 * `indexOf` to skip strings measured faster at first, then fell into a 1000x slower optimised version on
 * two-byte strings; this loop measured stable at about 1 ms per MB.)
 *
 * Runs before `JSON.parse` on purpose: V8 parses 10^6 levels without overflowing, but spends ~0.6 s of
 * CPU doing it, and the body parser runs before authentication. Invalid JSON may pass (the parser that
 * follows rejects it); a body that is valid JSON is judged exactly.
 *
 * The only way to get NUL or a lone surrogate into a parsed string is an escape (`\\u0000`, `\\ud800`):
 * raw control characters are invalid JSON and UTF-8 decoding never yields a lone surrogate (bad bytes
 * become U+FFFD), so escapes are all this looks at.
 */
export function checkJsonBytes(body: Uint8Array, limits: JsonLimits): void {
  const max = limits.maxDepth;
  // Per open container (1-based): array or object, current item index, where its current key starts. Each level is
  // set when its container opens, and only open levels are read, so the arrays are reused from call to call.
  const { isArray, index, keyAt } = levelState(max);
  let depth = 0;
  let values = 0;
  let expectKey = false;
  const n = body.length;
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let nextEscape = buf.indexOf(BACKSLASH);
  for (let i = 0; i < n; i++) {
    const c = body[i];
    if (c === QUOTE) {
      if (expectKey && depth > 0 && !isArray[depth]) {
        keyAt[depth] = i;
        expectKey = false;
      }
      // Skip the string natively (memchr) up to its closing quote, judging each escape on the way; both
      // cursors only move forward, so a string full of escapes stays linear.
      let j = i + 1;
      let close = nextQuote(buf, j);
      for (;;) {
        if (close < 0) return; // unterminated: the parser reports it
        if (nextEscape >= 0 && nextEscape < j) nextEscape = nextBackslash(buf, j, close);
        if (nextEscape < 0 || nextEscape >= close) break;
        const esc = nextEscape;
        if (body[esc + 1] === U) {
          const bad = unicodeEscapeProblem(body, esc);
          if (bad) throw new JsonLimitError(bad, pathOf(body, isArray, index, keyAt, depth), bad === 'nul' ? 'contains a NUL character (\\u0000)' : 'contains an unpaired UTF-16 surrogate');
          j = esc + (isSurrogatePair(body, esc) ? 12 : 6);
        } else j = esc + 2;
        if (j > close) close = nextQuote(buf, j);
      }
      j = close;
      i = j;
    } else if (c === 123 || c === 91) {
      // `{` or `[`
      if (depth === max) throw new JsonLimitError('depth', pathOf(body, isArray, index, keyAt, depth), `is nested deeper than ${max} levels`);
      if (++values > limits.maxValues) throw tooMany(limits);
      depth++;
      isArray[depth] = c === 91 ? 1 : 0;
      index[depth] = 0;
      keyAt[depth] = -1;
      expectKey = c === 123;
    } else if (c === 125 || c === 93) {
      // `}` or `]`
      if (depth > 0) depth--;
      expectKey = false;
    } else if (c === 44 && depth > 0) {
      // `,`
      if (++values > limits.maxValues) throw tooMany(limits);
      if (!isArray[depth]) expectKey = true;
      else if (++index[depth] >= limits.maxArrayItems) {
        const path = pathOf(body, isArray, index, keyAt, depth).slice(0, -1);
        throw new JsonLimitError('array_items', path, `has more than ${limits.maxArrayItems} items`);
      }
    }
  }
}

/**
 * Per-level state of {@link checkJsonBytes}, reused: allocating three typed arrays of 65 entries (each gets its own
 * backing store) cost ~3 µs per call, more than scanning a whole chat request. The check is synchronous, so one set
 * serves every call.
 */
let levels: { isArray: Uint8Array; index: Float64Array; keyAt: Int32Array } | null = null;
function levelState(max: number): NonNullable<typeof levels> {
  if (!levels || levels.isArray.length < max + 1) levels = { isArray: new Uint8Array(max + 1), index: new Float64Array(max + 1), keyAt: new Int32Array(max + 1) };
  return levels;
}

/**
 * The next `"` at or after `from`, or -1: looked for in JS over the next 64 bytes (keys and short values, most of the
 * strings of a request, each cost a native call of ~0.25 µs before), then natively (memchr) for a long string.
 */
function nextQuote(buf: Buffer, from: number): number {
  const stop = Math.min(buf.length, from + 64);
  for (let k = from; k < stop; k++) if (buf[k] === QUOTE) return k;
  return stop === buf.length ? -1 : buf.indexOf(QUOTE, stop);
}

/**
 * Where the next backslash at or after `from` is: looked for in JS over the next 64 bytes (escape-dense
 * text, e.g. Python's `ensure_ascii` bodies, would otherwise pay a native call per escape), then natively.
 * `close` (the string's closing quote) means "none before it": a later string looks again.
 */
function nextBackslash(buf: Buffer, from: number, close: number): number {
  const stop = Math.min(close, from + 64);
  for (let k = from; k < stop; k++) if (buf[k] === BACKSLASH) return k;
  return stop === close ? close : buf.indexOf(BACKSLASH, stop);
}

function pathOf(body: Uint8Array, isArray: Uint8Array, index: Float64Array, keyAt: Int32Array, depth: number): JsonPath {
  const path: JsonPath = [];
  for (let d = 1; d <= depth; d++) path.push(isArray[d] ? index[d] : keyAt[d] >= 0 ? readKey(body, keyAt[d]) : '');
  return path;
}

const tooMany = (limits: JsonLimits) => new JsonLimitError('values', [], `has more than ${limits.maxValues} values in all`);

/** The 4 hex digits at `at` as a number, or -1 (no allocation: Python clients escape every non-ASCII char). */
function hexAt(body: Uint8Array, at: number): number {
  let v = 0;
  for (let k = at; k < at + 4; k++) {
    const c = body[k];
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** `\\uXXXX` at `at`: NUL, a lone surrogate, or fine (a high surrogate followed by a `\\u` low one is fine). */
function unicodeEscapeProblem(body: Uint8Array, at: number): JsonLimitReason | undefined {
  const code = hexAt(body, at + 2);
  if (code === 0) return 'nul';
  if (code >= 0xdc00 && code <= 0xdfff) return 'lone_surrogate';
  if (code >= 0xd800 && code <= 0xdbff && !isSurrogatePair(body, at)) return 'lone_surrogate';
  return undefined;
}

/** Whether `\\uD8xx` at `at` is followed by a `\\uDCxx` escape, i.e. the two make one character. */
function isSurrogatePair(body: Uint8Array, at: number): boolean {
  const code = hexAt(body, at + 2);
  if (code < 0xd800 || code > 0xdbff) return false;
  if (body[at + 6] !== BACKSLASH || body[at + 7] !== U) return false;
  const low = hexAt(body, at + 8);
  return low >= 0xdc00 && low <= 0xdfff;
}

/** The key whose opening quote is at `start` (only called to name a field in an error). */
function readKey(body: Uint8Array, start: number): string {
  let end = start + 1;
  while (end < body.length && body[end] !== QUOTE) end += body[end] === BACKSLASH ? 2 : 1;
  const raw = Buffer.from(body.buffer, body.byteOffset + start, Math.min(end + 1, body.length) - start).toString('utf8');
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}
