import { PhoneNumber, type MetadataJson } from 'libphonenumber-js/core';
import maxMetadataJson from 'libphonenumber-js/max/metadata';
import { type DigitRuns, type ScanContext, gluedAfter, gluedBefore } from './text';
import type { Span } from '../types';

/**
 * The full metadata (validity patterns per number type). `min` found the same numbers on the synthetic sets (±1 in
 * 1,400 messages) at the same cost per 8 KB; `max` is the stricter of the two, and bundle size does not matter here.
 */
const maxMetadata = maxMetadataJson as MetadataJson;
/** Calling codes tried for a national number with trunk prefix 0 (UK, Germany, France), in that order. */
const TRUNK_ZERO_CODES = ['44', '49', '33'] as const;

/** A run of digit groups that may be a phone number: runs `k..m` of the text's digit runs. */
interface Cluster {
  k: number;
  m: number;
  start: number;
  end: number;
  plus: boolean;
  /** A `(0)` group after the country code (`+44 (0)20 …`): written, but not dialled. */
  skip: number;
  gaps: string[];
}

/**
 * Phone numbers: `+` and 8–15 digits (E.164, any grouping), or a national number written with separators: US/NANP
 * `(415) 555-2671`, `415-555-2671`, `415.555.2671`, `1 415 555 2671`, and UK/German/French numbers with their trunk 0
 * (`020 7946 0959`, `030 70340628`, `01 42 68 53 00`). A bare digit run without `+` is never a phone: it is far more
 * often an order number, an amount or a timestamp.
 *
 * Candidates come from a hand-written walk over the shared digit runs; only candidates of a plausible length and
 * shape reach libphonenumber-js, which checks them against the numbering plan of their country (`isValid()`). That
 * keeps its cost (1–8 µs per number) off the rest of the text: its own `findNumbers` costs 4–10 ms per 8 KB.
 * Default region US; other regions only for `+`-prefixed (or `00`-prefixed) numbers and trunk-0 national forms.
 */
export function detectPhones(ctx: ScanContext, metadata: MetadataJson = maxMetadata): Span[] {
  const { text, runs } = ctx;
  const out: Span[] = [];
  for (let k = 0; k < runs.starts.length; k++) {
    const c = cluster(text, runs, k);
    k = c.m;
    if (c.gaps.length > MAX_GROUPS || gluedBefore(text, c.start) || gluedAfter(text, c.end)) continue;
    const e164 = candidate(text, runs, c);
    if (e164.some((n) => valid(n, metadata))) out.push({ start: c.start, end: c.end });
  }
  return out;
}

/** Most groups a written phone number has (`+33 1 42 68 53 00`: 6); longer clusters are skipped whole. */
const MAX_GROUPS = 8;

function cluster(text: string, runs: DigitRuns, k: number): Cluster {
  let start = runs.starts[k];
  const before = text.charCodeAt(start - 1);
  const plus = before === PLUS;
  let open = !plus && before === OPEN && text.charCodeAt(runs.ends[k]) === CLOSE; // `(415) 555-2671`
  if (plus || open) start--;
  const gaps: string[] = [];
  let skip = -1;
  let m = k;
  while (m + 1 < runs.starts.length) {
    const kind = gapKind(text, runs.ends[m], runs.starts[m + 1]);
    if (kind === Gap.Close) {
      if (!open) break;
      open = false;
    } else if (kind === Gap.Open) {
      if (open || text.charCodeAt(runs.ends[m + 1]) !== CLOSE) break; // the group must close right after its digits
      open = true;
      if (plus && m === k && runs.ends[m + 1] - runs.starts[m + 1] === 1 && text.charCodeAt(runs.starts[m + 1]) === 48) skip = m + 1;
    } else if (kind === Gap.None || open) break;
    if (gaps.length <= MAX_GROUPS) gaps.push(text.slice(runs.ends[m], runs.starts[m + 1]));
    m++;
  }
  if (open && gaps.length === 0) start = runs.starts[k]; // `(415)` alone: the parenthesis is not part of a number
  else if (open) {
    m--; // the last group opened a parenthesis that closes into text, not digits: leave it out
    gaps.pop();
    if (skip > m) skip = -1;
  }
  return { k, m, start, end: runs.ends[m], plus, skip, gaps };
}

const PLUS = 43;
const OPEN = 40;
const CLOSE = 41;
const enum Gap {
  None,
  Plain,
  Open,
  Close,
}

/** What joins two digit groups: ` `, `-`, `.`, `/` (plain); `)`, `) `, `)-` (closing); `(`, ` (` (opening). */
function gapKind(text: string, from: number, to: number): Gap {
  const a = text.charCodeAt(from);
  if (to - from === 1) return a === 32 || a === 45 || a === 46 || a === 47 ? Gap.Plain : a === CLOSE ? Gap.Close : a === OPEN ? Gap.Open : Gap.None;
  if (to - from !== 2) return Gap.None;
  const b = text.charCodeAt(from + 1);
  if (a === CLOSE && (b === 32 || b === 45)) return Gap.Close;
  return a === 32 && b === OPEN ? Gap.Open : Gap.None;
}

/** The E.164 forms worth validating for a cluster (none when its shape rules it out). */
function candidate(text: string, runs: DigitRuns, c: Cluster): string[] {
  let digits = '';
  const lens: number[] = [];
  for (let r = c.k; r <= c.m; r++) {
    if (r === c.skip) continue;
    digits += text.slice(runs.starts[r], runs.ends[r]);
    lens.push(runs.ends[r] - runs.starts[r]);
  }
  let plus = c.plus;
  if (!plus && digits.startsWith('00') && lens.length >= 2 && lens[0] <= 4) {
    digits = digits.slice(2); // `0044 20 7946 0959`: the international prefix written out
    plus = true;
  }
  if (plus) return digits.length >= 8 && digits.length <= 15 ? ['+' + digits] : [];
  if (lens.length < 2 || ssnShaped(lens) || (lens.length === 4 && c.gaps.every((g) => g === '.') && lens.every((n) => n <= 3))) return [];
  if (digits.startsWith('0')) {
    if (digits.length < 9 || digits.length > 12 || blocksOfFour(lens)) return [];
    const national = digits.slice(1);
    const codes = lens.length === 5 && digits.length === 10 ? ['33', '44', '49'] : TRUNK_ZERO_CODES;
    return codes.map((cc) => '+' + cc + national);
  }
  const shape = lens.join('-');
  if (digits.length === 10 && (shape === '3-3-4' || shape === '3-7')) return ['+1' + digits];
  if (digits.length === 11 && digits.startsWith('1') && (shape === '1-3-3-4' || shape === '1-3-7')) return ['+' + digits];
  return [];
}

/**
 * Three or more blocks of exactly four digits (`0417-9496-7243`, `0929 0288 9019`): the layout of card numbers, IBAN
 * and account groups, not of UK, German or French national numbers; their fragments otherwise pass the loose
 * German metadata. (Added after the false positives seen on both synthetic sets; see docs/policy-quality-pii.md.)
 */
const blocksOfFour = (lens: number[]): boolean => lens.length >= 3 && lens.every((n) => n === 4);

/** `ddd-dd-dddd`: the SSN layout, never how a phone number is grouped. */
const ssnShaped = (lens: number[]): boolean => lens.length === 3 && lens[0] === 3 && lens[1] === 2 && lens[2] === 4;

function valid(e164: string, metadata: MetadataJson): boolean {
  try {
    return new PhoneNumber(e164, metadata).isValid();
  } catch {
    return false; // an unknown calling code: the constructor throws rather than answering false
  }
}
