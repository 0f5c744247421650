/**
 * Character classes and case folding for term matching. Hand-written because the matcher hashes folded code
 * units while it walks the text (no per-token string allocation); `toLowerCase` on whole strings would both
 * allocate and shift offsets. Non-ASCII classes and foldings are computed once per code point and cached.
 */

/** 0 = separator (whitespace), 1 = word character, 2 = a token on its own (punctuation, symbol, CJK ideograph...). */
export const CharClass = { Space: 0, Word: 1, Single: 2 } as const;
export type CharClass = (typeof CharClass)[keyof typeof CharClass];

const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  ASCII_CLASS[c] = /\s/.test(ch) || c < 0x20 || c === 0x7f ? CharClass.Space : /[A-Za-z0-9_]/.test(ch) ? CharClass.Word : CharClass.Single;
}

const WORD = /^[\p{L}\p{N}\p{M}\p{Pc}]$/u;
/** Scripts written without spaces: every character is a token, so a term matches inside a run of them. */
const UNSPACED = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]$/u;
const SPACE = /^[\s\p{Z}]$/u;
const classCache = new Map<number, CharClass>();
const foldCache = new Map<number, string>();
const CACHE_LIMIT = 65_536;

export function charClass(cp: number): CharClass {
  if (cp < 128) return ASCII_CLASS[cp] as CharClass;
  let c = classCache.get(cp);
  if (c === undefined) {
    const ch = String.fromCodePoint(cp);
    c = SPACE.test(ch) ? CharClass.Space : UNSPACED.test(ch) ? CharClass.Single : WORD.test(ch) ? CharClass.Word : CharClass.Single;
    if (classCache.size < CACHE_LIMIT) classCache.set(cp, c);
  }
  return c;
}

/** Full case folding of one code point (`ß` → `ss`, `ς` → `σ`, `Σ` → `σ`); ASCII is handled inline by callers. */
export function foldCodePoint(cp: number): string {
  let f = foldCache.get(cp);
  if (f === undefined) {
    const ch = String.fromCodePoint(cp);
    f = ch.toUpperCase().toLowerCase();
    if (f.length === 0) f = ch;
    if (foldCache.size < CACHE_LIMIT) foldCache.set(cp, f);
  }
  return f;
}

/** The folded form of a whole string (terms, and candidate spans being verified). */
export function foldString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    out += cp < 128 ? (cp >= 65 && cp <= 90 ? String.fromCharCode(cp + 32) : s[i]) : foldCodePoint(cp);
    i += len;
  }
  return out;
}
