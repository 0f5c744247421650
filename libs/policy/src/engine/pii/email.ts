import { type ScanContext, isAsciiAlnum, isAsciiLetter } from './text';
import type { Span } from '../types';

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
const NON_ASCII_ALNUM = /^[\p{L}\p{N}\p{M}]$/u;

/** Local-part characters: the dot-atom subset people actually use (RFC 5321 allows more, prose rarely does). */
function localChar(c: number, ch: string): boolean {
  if (c < 128) return isAsciiAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45; // . _ % + -
  return NON_ASCII_ALNUM.test(ch);
}
function labelChar(c: number, ch: string): boolean {
  return c < 128 ? isAsciiAlnum(c) || c === 45 : NON_ASCII_ALNUM.test(ch);
}

/**
 * E-mail addresses: `local@domain` with a dot-atom local part (≤ 64, no leading, trailing or double dot), a domain
 * of ≥ 2 labels (letters, digits, inner hyphens; Unicode allowed) and a final label of ≥ 2 letters (or a punycode
 * `xn--` TLD). A dot after the address ends the sentence and is not part of it.
 *
 * Starts from each `@` (found by `indexOf`, the fastest scan there is) and reads at most 65 characters back and
 * 254 forward; an `@` is never part of either side, so consecutive candidates never re-read each other's text.
 */
export function detectEmails(ctx: ScanContext): Span[] {
  const { text } = ctx;
  const out: Span[] = [];
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    const span = emailAt(text, at);
    if (span) out.push(span);
  }
  return out;
}

function emailAt(text: string, at: number): Span | null {
  let start = at;
  while (start > 0 && at - start <= MAX_LOCAL && localChar(text.charCodeAt(start - 1), text[start - 1])) start--;
  if (at - start > MAX_LOCAL) return null;
  while (start < at && text.charCodeAt(start) === 46) start++; // `...john@` : the dots are punctuation
  if (start === at || text.charCodeAt(at - 1) === 46 || text.slice(start, at).includes('..')) return null;
  const end = domainEnd(text, at + 1);
  return end < 0 ? null : { start, end };
}

/** End of a valid domain starting at `i`, or -1. */
function domainEnd(text: string, i: number): number {
  const limit = Math.min(text.length, i + MAX_DOMAIN + 1);
  let labels = 0;
  let labelStart = i;
  let end = -1;
  let j = i;
  for (; j <= limit; j++) {
    const c = j < limit ? text.charCodeAt(j) : -1;
    if (c !== -1 && c !== 46 && labelChar(c, text[j])) continue;
    // A label ends at j.
    const label = text.slice(labelStart, j);
    if (label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-')) break;
    labels++;
    if (labels >= 2 && topLevel(label)) end = j;
    if (c !== 46 || j + 1 >= limit || !labelChar(text.charCodeAt(j + 1), text[j + 1])) break; // not `.label`
    labelStart = j + 1;
  }
  if (end < 0 || end - i > MAX_DOMAIN) return -1;
  return end === j ? end : -1; // a bad label after a good one (`a@b.com-`, `a@b.co.-x`) spoils the whole domain
}

/** Image file extensions, none of them a TLD: `icon@2x.png` (retina asset names) is not an address. */
const FILE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp', 'ico', 'tif', 'tiff']);

function topLevel(label: string): boolean {
  if (label.length < 2 || FILE_EXTENSIONS.has(label.toLowerCase())) return false;
  if (label.startsWith('xn--')) return label.length > 4;
  for (let k = 0; k < label.length; k++) {
    const c = label.charCodeAt(k);
    if (c < 128 ? !isAsciiLetter(c) : !NON_ASCII_ALNUM.test(label[k]) || /\p{N}/u.test(label[k])) return false;
  }
  return true;
}
