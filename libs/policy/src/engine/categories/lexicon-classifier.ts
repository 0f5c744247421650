/** The built-in lexicon classifier: one text synchronously, or many behind the ContentClassifier port (long ones in windows). */
import type { CallSignal } from '@gw/inference';
import { ClassifierUnavailableError, type CategoryVerdict, type ContentClassifier } from '../types';
import { mergeSpans, withImpliedParents } from './hierarchy';
import { MAX_SPANS, judge } from './lexicon-judge';

export { lexiconReady, warmLexicon } from './lexicon-index';

/**
 * Judges one text (already NFKC-normalised, zero-width characters removed) against the built-in lexicon.
 * Synchronous, deterministic, linear in the text; never throws (a failure answers "nothing found").
 * Spans are UTF-16 offsets into `text`.
 */
export function classifyText(text: string): CategoryVerdict[] {
  try {
    return judge(text);
  } catch {
    return [];
  }
}

/**
 * The built-in classifier: the lexicon baseline behind the ContentClassifier port. Offline and deterministic;
 * it answers every text, so it never rejects except when the caller has already aborted.
 */
export const lexiconClassifier: ContentClassifier = {
  id: 'builtin',
  async classify(texts: readonly string[], signal?: CallSignal): Promise<CategoryVerdict[][]> {
    const out: CategoryVerdict[][] = [];
    let sinceYield = 0;
    for (const text of texts) {
      if (signal?.aborted) throw new ClassifierUnavailableError('builtin', 'classification aborted by the caller');
      if (text.length <= WINDOW) {
        out.push(classifyText(text));
        sinceYield += text.length;
        if (sinceYield >= WINDOW) {
          sinceYield = 0;
          await nextTurn();
        }
        continue;
      }
      out.push(await classifyLong(text));
    }
    return out;
  },
};

/**
 * A megabyte of text takes the lexicon a few hundred ms. The gateway's one event loop also serves streams and (in
 * the embedded mode) renews queue-job locks, so long inputs are judged in windows with a turn of the loop between
 * them. Windows overlap by far more than any cue phrase and start and end on whitespace, so no phrase is cut and
 * no cut word reads as another.
 */
const WINDOW = 64 * 1024;
const OVERLAP = 1024;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function classifyLong(text: string): Promise<CategoryVerdict[]> {
  const parts: CategoryVerdict[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + WINDOW);
    if (end < text.length) {
      const ws = text.lastIndexOf(' ', end);
      if (ws > start + WINDOW - OVERLAP) end = ws;
    }
    for (const v of classifyText(text.slice(start, end))) parts.push({ ...v, spans: v.spans?.map((s) => ({ start: s.start + start, end: s.end + start })) });
    if (end >= text.length) break;
    let next = end - OVERLAP;
    const ws = text.indexOf(' ', next);
    if (ws >= 0 && ws < end) next = ws + 1;
    start = Math.max(next, start + 1);
    await nextTurn();
  }
  return withImpliedParents(parts).map((v) => (v.spans ? { ...v, spans: mergeSpans(v.spans).slice(0, MAX_SPANS) } : v));
}
