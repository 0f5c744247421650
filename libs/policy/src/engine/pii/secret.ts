import { jwtAt } from './jwt';
import { PemScanner } from './pem';
import { type ScanContext, isAsciiAlnum, isDigit } from './text';
import type { Span } from '../types';

/** Every secret starts with one of these; one alternation of literals, so the regex cannot backtrack. */
const PREFIX = /sk-|ak_|AKIA|ASIA|gh[pousr]_|github_pat_|xox[abprs]-|glpat-|[sr]k_live_|AIza|eyJ|-----BEGIN /g;
/** Known sub-prefixes of `sk-` keys (OpenAI project/service-account/admin, Anthropic, OpenRouter): not key body. */
const SK_SUBPREFIX = /^(?:proj|svcacct|admin|ant(?:-api\d\d|-admin\d\d)?|or-v1)-/;
const MAX_KEY = 512;

type CharTest = (c: number) => boolean;
const alnum: CharTest = isAsciiAlnum;
const urlSafe: CharTest = (c) => isAsciiAlnum(c) || c === 45 || c === 95;
const upperDigit: CharTest = (c) => (c >= 65 && c <= 90) || isDigit(c);

/** What follows a prefix: its characters, its length range, and a test that it is random rather than words. */
interface KeyRule {
  chars: CharTest;
  min: number;
  max: number;
  check: (body: string) => boolean;
}

const RULES: Readonly<Record<string, KeyRule>> = {
  'sk-': { chars: urlSafe, min: 20, max: MAX_KEY, check: (b) => randomish(b.replace(SK_SUBPREFIX, '')) },
  ak_: { chars: urlSafe, min: 20, max: MAX_KEY, check: randomish },
  AKIA: { chars: upperDigit, min: 16, max: 16, check: () => true },
  // `ASIA` is also an English word in upper-case text; a real temporary key id all but always has a digit.
  ASIA: { chars: upperDigit, min: 16, max: 16, check: (b) => /\d/.test(b) },
  gh_: { chars: alnum, min: 36, max: 251, check: randomish },
  github_pat_: { chars: (c) => alnum(c) || c === 95, min: 40, max: MAX_KEY, check: randomish },
  'xox-': { chars: (c) => alnum(c) || c === 45, min: 20, max: MAX_KEY, check: randomish },
  'glpat-': { chars: urlSafe, min: 20, max: MAX_KEY, check: randomish },
  k_live_: { chars: alnum, min: 20, max: MAX_KEY, check: randomish },
  AIza: { chars: urlSafe, min: 35, max: 35, check: () => true },
};

function ruleFor(prefix: string): KeyRule {
  if (prefix.startsWith('gh') && prefix.length === 4) return RULES.gh_;
  if (prefix.startsWith('xox')) return RULES['xox-'];
  if (prefix.endsWith('k_live_')) return RULES.k_live_;
  return RULES[prefix];
}

/**
 * Credentials: API keys by their published prefixes (OpenAI/Anthropic `sk-`, `ak_`, AWS `AKIA`/`ASIA`, GitHub
 * `ghp_`…/`github_pat_`, Slack `xox?-`, GitLab `glpat-`, Stripe `sk_live_`/`rk_live_`, Google `AIza`) with a body of
 * the right length that looks random; JWTs ({@link jwtAt}); PEM private-key blocks ({@link PemScanner}).
 */
export function detectSecrets(ctx: ScanContext): Span[] {
  const { text } = ctx;
  const out: Span[] = [];
  const pem = new PemScanner(text);
  // One regex for every call (the scan is synchronous; `lastIndex` is reset here): a fresh one cost ~0.25 µs per call.
  const re = PREFIX;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const i = m.index;
    const prefix = m[0];
    const span = prefix === '-----BEGIN ' ? pem.blockAt(i) : standalone(text, i) ? (prefix === 'eyJ' ? jwtAt(text, i) : keyAt(text, i, prefix)) : null;
    if (!span) continue;
    out.push(span);
    re.lastIndex = span.end;
  }
  return out;
}

/** A key must start a token: `task-force` and `my_ak_value` are not keys. */
function standalone(text: string, i: number): boolean {
  if (i === 0) return true;
  const c = text.charCodeAt(i - 1);
  return !(isAsciiAlnum(c) || c === 45 || c === 95);
}

function keyAt(text: string, i: number, prefix: string): Span | null {
  const rule = ruleFor(prefix);
  const from = i + prefix.length;
  let j = from;
  while (j < text.length && j - from <= rule.max && rule.chars(text.charCodeAt(j))) j++;
  const n = j - from;
  if (n < rule.min || n > rule.max || (j < text.length && isAsciiAlnum(text.charCodeAt(j)))) return null;
  return rule.check(text.slice(from, j)) ? { start: i, end: j } : null;
}

/**
 * Whether a key body looks machine-generated: two of upper case, lower case and digits, few `-`/`_` (word lists
 * like `sk-this-is-not-a-key` have one every few characters) and at least 3 bits of entropy per character.
 */
export function randomish(body: string): boolean {
  if (body.length < 16) return false;
  let upper = 0;
  let lower = 0;
  let digit = 0;
  let seps = 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 97 && c <= 122) lower = 1;
    else if (isDigit(c)) digit = 1;
    else seps++;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  if (upper + lower + digit < 2 || seps * 8 > body.length) return false;
  let entropy = 0;
  for (const k of counts.values()) entropy -= (k / body.length) * Math.log2(k / body.length);
  return entropy >= 3;
}
