import type { CompiledPolicy } from './compile';
import { toOriginalSpan, type NormalizedText } from './normalize';
import { detectPii } from './pii';
import type { PiiMatch } from './types';

export interface TermFinding {
  /** The policy's own term (never the caller's text). */
  term: string;
  start: number;
  end: number;
}

/** What one text holds, in the text's original UTF-16 offsets. */
export interface TextScan {
  deny: TermFinding[];
  allow: TermFinding[];
  pii: PiiMatch[];
}

/** Runs the lists and the policy's PII detectors over one normalised text; offsets come back in the original. */
export function scanText(policy: CompiledPolicy, n: NormalizedText, opts: { allowlist: boolean } = { allowlist: true }): TextScan {
  const terms = (matcher: CompiledPolicy['deny']): TermFinding[] =>
    matcher ? matcher.scan(n.text).hits.map((h) => ({ term: matcher.terms[h.term], ...toOriginalSpan(n, h.start, h.end) })) : [];
  const pii = policy.piiTypes.size > 0 ? detectPii(n.text, policy.piiTypes).map((m) => ({ type: m.type, ...toOriginalSpan(n, m.start, m.end) })) : [];
  return { deny: terms(policy.deny), allow: opts.allowlist ? terms(policy.allow) : [], pii };
}
