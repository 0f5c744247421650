import type { Category, CategoryVerdict } from '../types';

/**
 * The category each category implies. A policy that flags `sexual` must also fire on a `sexual/minors` hit, and
 * one that flags `illicit` on a `drugs/synthesis` hit, whichever classifier judged; so every classifier closes
 * its verdicts under this map before answering.
 */
export const IMPLIED_PARENT: Readonly<Partial<Record<Category, Category>>> = {
  'sexual/minors': 'sexual',
  'hate/threatening': 'hate',
  'harassment/threatening': 'harassment',
  'self-harm/intent': 'self-harm',
  'self-harm/instructions': 'self-harm',
  'violence/graphic': 'violence',
  'illicit/violent': 'illicit',
  'weapons/creation': 'illicit/violent',
  'explosives/creation': 'illicit/violent',
  'drugs/synthesis': 'illicit',
  'malware/creation': 'illicit',
};

/**
 * Adds the implied parents of every flagged verdict (score: the highest child's, spans: the children's), and
 * keeps one verdict per category (the highest-scoring one wins). Order: first appearance.
 */
export function withImpliedParents(verdicts: readonly CategoryVerdict[]): CategoryVerdict[] {
  const out = new Map<Category, CategoryVerdict>();
  const put = (v: CategoryVerdict): void => {
    const had = out.get(v.category);
    if (!had) return void out.set(v.category, { ...v, spans: v.spans ? [...v.spans] : undefined });
    const spans = had.spans || v.spans ? [...(had.spans ?? []), ...(v.spans ?? [])] : undefined;
    out.set(v.category, { category: v.category, score: Math.max(had.score, v.score), flagged: had.flagged || v.flagged, spans });
  };
  for (const v of verdicts) {
    put(v);
    if (!v.flagged) continue;
    for (let parent = IMPLIED_PARENT[v.category]; parent; parent = IMPLIED_PARENT[parent]) {
      put({ category: parent, score: v.score, flagged: true, spans: v.spans });
    }
  }
  return [...out.values()].map((v) => (v.spans ? { ...v, spans: mergeSpans(v.spans) } : v));
}

/** Sorts and merges overlapping or touching spans. */
export function mergeSpans(spans: readonly { start: number; end: number }[]): { start: number; end: number }[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: { start: number; end: number }[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}
