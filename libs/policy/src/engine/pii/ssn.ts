import { type ScanContext, gluedAfter, gluedBefore, groupEnd } from './text';
import type { Span } from '../types';

/** How far before a bare nine-digit number a context word may stand (`SSN: 123456789`). */
const CONTEXT_WINDOW = 30;
const CONTEXT = /\b(?:ssn|ss#|ss no|social security|social-security|sozialversicherungs)/;

/**
 * US Social Security numbers: `ddd-dd-dddd` or `ddd dd dddd` (one separator kind throughout), and nine bare digits
 * only after a context word, since a bare nine-digit number is far more often an order or account number. Every
 * candidate must pass the SSA's structural rules: area not 000, 666 or 900–999; group not 00; serial not 0000.
 */
export function detectSsns(ctx: ScanContext): Span[] {
  const { text, runs } = ctx;
  const out: Span[] = [];
  for (let k = 0; k < runs.starts.length; k++) {
    const m = groupEnd(text, runs, k, ' -');
    const start = runs.starts[k];
    const end = runs.ends[m];
    const groups = m - k + 1;
    const len = (r: number) => runs.ends[k + r] - runs.starts[k + r];
    const ssn =
      groups === 3 && len(0) === 3 && len(1) === 2 && len(2) === 4 && text[start + 3] === text[start + 6] // one separator kind
        ? text.slice(start, start + 3) + text.slice(start + 4, start + 6) + text.slice(start + 7, end)
        : groups === 1 && len(0) === 9 && hasContext(text, start)
          ? text.slice(start, end)
          : null;
    k = m;
    if (ssn && validSsn(ssn) && !gluedBefore(text, start) && !gluedAfter(text, end)) out.push({ start, end });
  }
  return out;
}

/** The SSA's structural rules on a nine-digit SSN. */
export function validSsn(digits: string): boolean {
  const area = Number(digits.slice(0, 3));
  return area !== 0 && area !== 666 && area < 900 && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000';
}

function hasContext(text: string, start: number): boolean {
  return CONTEXT.test(text.slice(Math.max(0, start - CONTEXT_WINDOW), start).toLowerCase());
}
