/**
 * Reads text the way a moderator does, so cue phrases match through casual obfuscation: case-folded, leetspeak
 * undone inside words (`k1ll`, `h@te`, `$uicide`), apostrophes dropped (`don't` = `dont`), repeated letters
 * collapsed (`kiiiill` = `kil`, so lexicon words are collapsed the same way), and runs of single letters joined
 * (`s.u.i.c.i.d.e`, `k i l l`). Every token keeps its UTF-16 range in the caller's text. One pass, linear time.
 */

/** Word characters beyond ASCII (letters and numbers of any script). */
const WORD_CHAR = /^[\p{L}\p{N}]/u;
/** ASCII word characters: letters, digits, and the leetspeak/apostrophe symbols `@ $ ! | '` (trimmed at edges). */
const ASCII_WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_WORD[c] = /[A-Za-z0-9@$!|']/.test(String.fromCharCode(c)) ? 1 : 0;
const LETTER = /\p{L}/u;
const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', $: 's', '!': 'i', '|': 'l' };
/** The same map by char code, for the ASCII fast path (0 = keep). */
const LEET_CODE = new Uint8Array(128);
for (const [k, v] of Object.entries(LEET)) LEET_CODE[k.charCodeAt(0)] = v.charCodeAt(0);

export interface Tokens {
  /** Skeleton form of each token. */
  words: string[];
  /** UTF-16 range of each token in the text. */
  starts: number[];
  ends: number[];
  /** Sentence number of each token, non-decreasing. */
  sentence: number[];
}

/** Recently folded words: prose repeats its vocabulary, so most tokens are a map hit. Bounded, reset when full. */
const CACHE = new Map<string, string>();
const CACHE_MAX = 20_000;

/** The skeleton of one word (used for lexicon entries too, so both sides fold the same way). */
export function skeletonWord(raw: string): string {
  const hit = CACHE.get(raw);
  if (hit !== undefined) return hit;
  if (CACHE.size >= CACHE_MAX) CACHE.clear();
  const folded = fold(raw);
  CACHE.set(raw, folded);
  return folded;
}

function fold(raw: string): string {
  const ascii = asciiSkeleton(raw);
  if (ascii !== null) return ascii;
  const lower = raw.toLowerCase().replace(/['\u2019]/g, '');
  const leet = LETTER.test(lower);
  let out = '';
  let prev = '';
  for (const ch of lower) {
    const c = leet ? (LEET[ch] ?? ch) : ch;
    if (c === prev) continue;
    out += c;
    prev = c;
  }
  return out;
}

/** skeletonWord for ASCII words without allocating per character; null when the word is not ASCII. */
function asciiSkeleton(raw: string): string | null {
  let hasLetter = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c > 127) return null;
    if ((c | 32) >= 97 && (c | 32) <= 122) hasLetter = true;
  }
  const codes: number[] = [];
  let prev = -1;
  for (let i = 0; i < raw.length; i++) {
    let c = raw.charCodeAt(i);
    if (c === 39) continue; // apostrophe
    if (c >= 65 && c <= 90) c |= 32;
    else if (hasLetter && LEET_CODE[c]) c = LEET_CODE[c];
    if (c === prev) continue;
    codes.push(c);
    prev = c;
  }
  return String.fromCharCode(...codes);
}

/** Tokenises `text` into skeleton words with their ranges and sentence numbers. Never throws. */
export function tokenize(text: string): Tokens {
  const words: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (!isWordAt(text, i)) {
      i++;
      continue;
    }
    let a = i;
    while (i < text.length && isWordAt(text, i)) i += text.charCodeAt(i) >= 0xd800 && text.charCodeAt(i) <= 0xdbff ? 2 : 1;
    let b = Math.min(i, text.length);
    while (a < b && isEdgeSymbol(text.charCodeAt(a))) a++;
    while (b > a && isEdgeSymbol(text.charCodeAt(b - 1))) b--;
    if (a === b) continue;
    // A run longer than any lexicon word cannot match: keep it as a token without folding it.
    words.push(b - a > 64 ? '\u0000' : skeletonWord(text.slice(a, b)));
    starts.push(a);
    ends.push(b);
  }
  const out: Tokens = { words: [], starts: [], ends: [], sentence: [] };
  let sentence = 0;
  let prevEnd = 0;
  for (let i = 0; i < words.length; i++) {
    let j = i;
    // Join a run of 3+ single letters separated by short separators (`s.u.i.c.i.d.e`, `k i l l`).
    while (j + 1 < words.length && isLetter1(words[j]) && isLetter1(words[j + 1]) && isLetterGap(text, ends[j], starts[j + 1])) j++;
    let word = words[i];
    if (j - i >= 2) {
      word = '';
      for (let k = i; k <= j; k++) if (!word.endsWith(words[k])) word += words[k];
    } else j = i;
    if (out.words.length > 0 && hasSentenceEnd(text, prevEnd, starts[i])) sentence++;
    out.words.push(word);
    out.starts.push(starts[i]);
    out.ends.push(ends[j]);
    out.sentence.push(sentence);
    prevEnd = ends[j];
    i = j;
  }
  return out;
}

/** Whether the character (code point) at `i` belongs to a word. */
function isWordAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return ASCII_WORD[c] === 1;
  if (c === 0x2019) return true;
  if (c >= 0xd800 && c <= 0xdbff) return WORD_CHAR.test(text.slice(i, i + 2));
  return c >= 0xdc00 && c <= 0xdfff ? false : WORD_CHAR.test(text[i]);
}

/** `@ $ ! | ' ’`: leetspeak inside a word, punctuation at its edges. */
function isEdgeSymbol(c: number): boolean {
  return c === 64 || c === 36 || c === 33 || c === 124 || c === 39 || c === 0x2019;
}

function isLetter1(word: string): boolean {
  if (word.length !== 1) return false;
  const c = word.charCodeAt(0);
  return c < 128 ? c >= 97 && c <= 122 : LETTER.test(word);
}

/** One or two of ` .-_*,/+~` between joined single letters; never a line break. */
function isLetterGap(text: string, from: number, to: number): boolean {
  if (to - from < 1 || to - from > 2) return false;
  for (let k = from; k < to; k++) if (!' .-_*,/+~'.includes(text[k])) return false;
  return true;
}

/** Whether the gap between two tokens ends a sentence (context windows never cross it). */
function hasSentenceEnd(text: string, from: number, to: number): boolean {
  // Gaps are short in prose; a huge gap (binary noise) is scanned once, so the whole pass stays linear.
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === 46 || c === 33 || c === 63 || c === 59 || c === 10) return true;
  }
  return false;
}
