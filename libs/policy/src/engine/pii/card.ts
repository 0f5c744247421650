import { type DigitRuns, type ScanContext, digitCount, gluedAfter, gluedBefore, groupEnd, runDigits } from './text';
import type { Span } from '../types';

/**
 * Payment card numbers: 13–19 digits, compact or in groups joined by single spaces or dashes, that pass Luhn and
 * start with an issuer prefix whose brand uses that length. Luhn alone passes one random number in ten; the
 * prefix-and-length table removes most of the rest (order numbers, IBAN fragments, timestamps).
 */
export function detectCards(ctx: ScanContext): Span[] {
  const { text, runs } = ctx;
  const out: Span[] = [];
  for (let k = 0; k < runs.starts.length; k++) {
    const m = groupEnd(text, runs, k, ' -');
    const span = cardAt(text, runs, k, m);
    if (span) out.push(span);
    k = m;
  }
  return out;
}

function cardAt(text: string, runs: DigitRuns, k: number, m: number): Span | null {
  const n = digitCount(runs, k, m);
  if (n < 13 || n > 19) return null;
  const start = runs.starts[k];
  const end = runs.ends[m];
  if (gluedBefore(text, start) || gluedAfter(text, end)) return null;
  const digits = runDigits(text, runs, k, m);
  return luhnValid(digits) && knownIssuer(digits) ? { start, end } : null;
}

/** The Luhn (mod 10) check every issuer applies to its card numbers. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** `[low, high]` of a prefix range (compared on as many digits as `low` has) and the lengths the brand issues. */
type IinRange = readonly [low: number, high: number, lengths: readonly number[]];
const L16_19 = [16, 17, 18, 19];
const IIN_RANGES: readonly IinRange[] = [
  [4, 4, [13, 16, 19]], // Visa
  [51, 55, [16]], // Mastercard
  [2221, 2720, [16]], // Mastercard 2-series
  [34, 34, [15]], // American Express
  [37, 37, [15]],
  [6011, 6011, L16_19], // Discover
  [644, 649, L16_19],
  [65, 65, L16_19],
  [3528, 3589, L16_19], // JCB
  [300, 305, [14, 15, 16, 17, 18, 19]], // Diners Club
  [36, 36, [14, 15, 16, 17, 18, 19]],
  [38, 39, [14, 15, 16, 17, 18, 19]],
  [62, 62, L16_19], // UnionPay
  [2200, 2204, L16_19], // Mir
  [50, 50, [13, 14, 15, 16, 17, 18, 19]], // Maestro
  [56, 58, [13, 14, 15, 16, 17, 18, 19]],
  [63, 63, [13, 14, 15, 16, 17, 18, 19]],
  [67, 67, [13, 14, 15, 16, 17, 18, 19]],
];

/** True when the number's prefix belongs to a card brand that issues numbers of this length. */
export function knownIssuer(digits: string): boolean {
  for (const [low, high, lengths] of IIN_RANGES) {
    const width = String(low).length;
    const prefix = Number(digits.slice(0, width));
    if (prefix >= low && prefix <= high && lengths.includes(digits.length)) return true;
  }
  return false;
}
