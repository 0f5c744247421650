/**
 * Character tests and the one shared pre-pass of the PII detectors. Everything here scans by hand or with
 * regexes that cannot backtrack (a single character class), so every detector stays linear in the text.
 */

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isAsciiLetter = (c: number): boolean => (c | 32) >= 97 && (c | 32) <= 122;
export const isAsciiAlnum = (c: number): boolean => isDigit(c) || isAsciiLetter(c);
/** ASCII letters, digits and `_`: a character that glues a value into a longer token. Non-ASCII letters do not
 * glue (CJK prose writes numbers right after words: `电话+86 138 …`). */
export const isWordChar = (c: number): boolean => isAsciiAlnum(c) || c === 95;
export const isHex = (c: number): boolean => isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102);

/**
 * Maximal runs of ASCII digits, found once per scan and shared by every digit-driven detector (phone, SSN, card,
 * IBAN, IPv4). A single-class regex is the cheapest way through prose that V8 offers (a character loop in JS costs
 * several times more per 8 KB, and each detector scanning on its own would pay it five times); inside digit-dense
 * stretches a hand walk takes over, since a regex call per short run costs more than the characters.
 */
export interface DigitRuns {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

export function findDigitRuns(text: string): DigitRuns {
  const starts: number[] = [];
  const ends: number[] = [];
  const re = /[0-9]/g;
  const n = text.length;
  let from = 0;
  for (;;) {
    re.lastIndex = from;
    if (!re.test(text)) break;
    let j = re.lastIndex - 1;
    // Walk by hand while digits keep coming within a few characters (digit-dense text: one regex call per run
    // would cost more there); go back to the regex after a longer gap.
    for (;;) {
      const start = j;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      starts.push(start);
      ends.push(j);
      let k = j;
      while (k < n && k - j < 8 && !isDigit(text.charCodeAt(k))) k++;
      if (k < n && isDigit(text.charCodeAt(k))) j = k;
      else {
        from = k;
        break;
      }
    }
    if (from >= n) break;
  }
  return { starts, ends };
}

/** What the detectors of one `detectPii` call share: the text and its digit runs (computed on first use). */
export class ScanContext {
  private digitRuns?: DigitRuns;
  constructor(readonly text: string) {}

  get runs(): DigitRuns {
    return (this.digitRuns ??= findDigitRuns(this.text));
  }
}

/**
 * True when the value starting at `i` is the tail of a longer token: a word character right before it, or a
 * `-`, `.` or `/` joined to one (`ORD-2024-558812`, `v9.14`, `id/4111…`).
 */
export function gluedBefore(text: string, i: number): boolean {
  if (i <= 0) return false;
  const c = text.charCodeAt(i - 1);
  if (isWordChar(c)) return true;
  return (c === 45 || c === 46 || c === 47) && i >= 2 && isWordChar(text.charCodeAt(i - 2));
}

/** True when the value ending at `j` goes on into a longer token (`…2671abc`, `1.2.3.4.5`, `…-7`). */
export function gluedAfter(text: string, j: number): boolean {
  if (j >= text.length) return false;
  const c = text.charCodeAt(j);
  if (isWordChar(c)) return true;
  return (c === 45 || c === 46 || c === 47) && j + 1 < text.length && isWordChar(text.charCodeAt(j + 1));
}

/**
 * Index of the last digit run of the group sequence starting at run `k`: runs joined by exactly one separator
 * character from `seps` (`4111 1111-1111`). Callers continue after it, so a long sequence (`'1-'.repeat(5e5)`) is
 * walked once, not once per run.
 */
export function groupEnd(text: string, runs: DigitRuns, k: number, seps: string): number {
  let m = k;
  while (m + 1 < runs.starts.length && runs.starts[m + 1] === runs.ends[m] + 1 && seps.includes(text[runs.ends[m]])) m++;
  return m;
}

/** The digits of runs `k..m` (separators dropped). */
export function runDigits(text: string, runs: DigitRuns, k: number, m: number): string {
  let s = '';
  for (let r = k; r <= m; r++) s += text.slice(runs.starts[r], runs.ends[r]);
  return s;
}

/** Sum of the run lengths `k..m`. */
export function digitCount(runs: DigitRuns, k: number, m: number): number {
  let n = 0;
  for (let r = k; r <= m; r++) n += runs.ends[r] - runs.starts[r];
  return n;
}
