import { type ScanContext, isAsciiAlnum, isAsciiLetter, isDigit } from './text';
import type { Span } from '../types';

/**
 * IBAN length per country (SWIFT IBAN registry): every SEPA country plus the other common registry members.
 * An exact length is half the validation; a wrong-length string with a passing checksum is not an IBAN.
 */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32,
  LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15,
  PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25,
  SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

/**
 * IBANs, compact (`DE89370400440532013000`) or printed in groups of four joined by single spaces, letters in either
 * case. The country fixes the length and ISO 13616 mod-97 must equal 1, which catches every single-character error
 * and all but about one in a hundred random strings of the right shape.
 *
 * Every IBAN is two letters and then two check digits, so the candidates are the digit runs that start right after
 * two letters: no separate pass over the text.
 */
export function detectIbans(ctx: ScanContext): Span[] {
  const { text, runs } = ctx;
  const out: Span[] = [];
  let after = 0;
  for (let k = 0; k < runs.starts.length; k++) {
    const s = runs.starts[k] - 2;
    if (s < after || runs.ends[k] - runs.starts[k] < 2) continue;
    if (!isAsciiLetter(text.charCodeAt(s)) || !isAsciiLetter(text.charCodeAt(s + 1))) continue;
    if (s > 0 && isAsciiAlnum(text.charCodeAt(s - 1))) continue;
    const length = IBAN_LENGTHS[text.slice(s, s + 2).toUpperCase()];
    if (length === undefined) continue;
    const end = ibanEnd(text, s, length);
    if (end < 0) continue;
    out.push({ start: s, end });
    after = end;
  }
  return out;
}

/**
 * End of the IBAN of `length` characters starting at `s`, or -1: reads compact, or groups of four joined by one
 * space (the last group may be shorter), requires a non-alphanumeric character after it, then checks mod-97.
 */
function ibanEnd(text: string, s: number, length: number): number {
  let chars = '';
  let i = s;
  const grouped = text.charCodeAt(s + 4) === 32;
  while (chars.length < length && i < text.length) {
    const c = text.charCodeAt(i);
    if (isAsciiAlnum(c)) {
      chars += text[i];
      i++;
    } else if (grouped && c === 32 && chars.length % 4 === 0 && chars.length > 0 && isAsciiAlnum(text.charCodeAt(i + 1))) {
      i++;
    } else break;
  }
  if (chars.length !== length || (i < text.length && isAsciiAlnum(text.charCodeAt(i)))) return -1;
  return mod97(chars.toUpperCase()) === 1 ? i : -1;
}

/** ISO 7064 mod 97-10 of an IBAN: the first four characters moved to the end, letters as 10–35. */
export function mod97(iban: string): number {
  const rotated = iban.slice(4) + iban.slice(0, 4);
  let r = 0;
  for (let i = 0; i < rotated.length; i++) {
    const c = rotated.charCodeAt(i);
    r = isDigit(c) ? (r * 10 + (c - 48)) % 97 : (r * 100 + (c - 55)) % 97;
  }
  return r;
}
