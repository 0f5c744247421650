import { detectCards } from './card';
import { detectEmails } from './email';
import { detectIbans } from './iban';
import { detectIps } from './ip';
import { detectPhones } from './phone';
import { detectSecrets } from './secret';
import { detectSsns } from './ssn';
import { ScanContext } from './text';
import { PII_TYPES, type PiiMatch, type PiiType, type Span } from '../types';

/**
 * Overlap priority, most specific first. When two detectors claim overlapping text the earlier one keeps it:
 * - SECRET first: a PEM block or JWT is a container whose inside can look like anything else (digits, `@`), and a
 *   secret redacted only in part is still leaked.
 * - then by how unlikely a validated match is to be a coincidence: an e-mail's `@` and domain are unambiguous (and
 *   contain the digits around it); an IBAN passes mod-97 with an exact per-country length (1 in 97 by chance);
 *   a card passes Luhn plus an issuer prefix and length (1 in 10 on the checksum); an SSN has only range rules;
 *   an IPv4 is any four small numbers; and a phone number is validated only by numbering-plan metadata that
 *   accepts most digit strings of the right length (SSNs, card groups and IBAN fragments included).
 */
const PRIORITY: readonly PiiType[] = ['SECRET', 'EMAIL', 'IBAN', 'CREDIT_CARD', 'US_SSN', 'IP_ADDRESS', 'PHONE'];

const DETECTORS: Readonly<Record<PiiType, (ctx: ScanContext) => Span[]>> = {
  SECRET: detectSecrets,
  EMAIL: detectEmails,
  IBAN: detectIbans,
  CREDIT_CARD: detectCards,
  US_SSN: detectSsns,
  IP_ADDRESS: detectIps,
  PHONE: (ctx) => detectPhones(ctx),
};

const ALL: ReadonlySet<PiiType> = new Set(PII_TYPES);

/**
 * The PII values in `text` (already NFKC-normalised, zero-width and bidi characters removed, not case-folded),
 * sorted by start and non-overlapping, in UTF-16 offsets of `text`. Linear in the text; never throws.
 *
 * `types` limits what is reported. Detectors of higher priority than a wanted type still run, so a value is never
 * reported as a phone by one policy and as an SSN by another: the result for a subset of types is always the
 * full result filtered.
 */
export function detectPii(text: string, types: ReadonlySet<PiiType> = ALL): PiiMatch[] {
  let last = -1;
  PRIORITY.forEach((t, i) => {
    if (types.has(t)) last = i;
  });
  if (last < 0 || text.length === 0) return [];
  const ctx = new ScanContext(text);
  let kept: PiiMatch[] = [];
  for (let i = 0; i <= last; i++) {
    const type = PRIORITY[i];
    kept = mergeBelow(kept, disjoint(DETECTORS[type](ctx)), type);
  }
  return types.size === ALL.size ? kept : kept.filter((m) => types.has(m.type));
}

/** Same-type spans made disjoint: sorted by start, the longer of two overlapping spans kept (`::ffff:1.2.3.4`). */
function disjoint(spans: Span[]): Span[] {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of spans) {
    const prev = out[out.length - 1];
    if (prev && s.start < prev.end) {
      if (s.end - s.start > prev.end - prev.start) out[out.length - 1] = s;
      continue;
    }
    out.push(s);
  }
  return out;
}

/** Merges lower-priority `spans` into `kept` (both sorted and disjoint), dropping every span that overlaps a kept one. */
function mergeBelow(kept: PiiMatch[], spans: Span[], type: PiiType): PiiMatch[] {
  if (spans.length === 0) return kept;
  const out: PiiMatch[] = [];
  let i = 0;
  for (const s of spans) {
    while (i < kept.length && kept[i].end <= s.start) out.push(kept[i++]);
    if (i < kept.length && kept[i].start < s.end) continue;
    out.push({ type, start: s.start, end: s.end });
  }
  while (i < kept.length) out.push(kept[i++]);
  return out;
}
