/** Scores one text against the compiled lexicon: cues, their boosts, negation and damping, per-sentence noisy-OR, combos. */
import { CATEGORIES, type Category, type CategoryVerdict, type Span } from '../types';
import { mergeSpans, withImpliedParents } from './hierarchy';
import { BOOSTS, COMBOS, DAMP_FACTOR, DAMP_WINDOW, FLAG_AT, NEGATION_FACTOR, NEGATION_WINDOW } from './lexicon-data';
import { compile, type Entry } from './lexicon-index';
import { tokenize, type Tokens } from './skeleton';

/** Evidence spans kept per category (a hostile text can repeat a cue a million times). */
export const MAX_SPANS = 32;

/** Per category, the sentence being accumulated (noisy-OR of its cues) and the best finished one. */
interface CatState {
  sentence: number;
  keep: number; // product of (1 - cue score)
  lastEnd: number;
  lastScore: number;
  spans: Span[];
  best: number;
  flaggedSpans: Span[];
}

/** The body of `classifyText` (lexicon-classifier.ts), which catches what this throws. */
export function judge(text: string): CategoryVerdict[] {
  const { index, groupIds, boostGroups, negation, comboGroups } = compile();
  const tokens = tokenize(text);
  const n = tokens.words.length;
  if (n === 0) return [];
  // One list per context group that occurs in the text: most texts hit no group, and this runs per streamed delta.
  const ctxStart: (number[] | undefined)[] = new Array<number[] | undefined>(groupIds.size);
  const ctxEnd: (number[] | undefined)[] = new Array<number[] | undefined>(groupIds.size);
  const hits: { e: Extract<Entry, { kind: 'cue' }>; first: number; end: number }[] = [];
  index.scan(tokens, (e, first, end) => {
    if (e.kind === 'ctx') {
      (ctxStart[e.group] ??= []).push(first);
      (ctxEnd[e.group] ??= []).push(end);
    } else hits.push({ e, first, end });
  });
  if (hits.length === 0) return [];

  const bounds = sentenceBounds(tokens);
  const anyIn = (groups: readonly number[], lo: number, hi: number): boolean => groups.some((id) => firstAtLeast(ctxStart[id], lo, hi) >= 0);

  const states = new Map<Category, CatState>();
  const combo = new Map<Category, { score: number; spans: Span[] }>();
  const span = (first: number, end: number): Span => ({ start: tokens.starts[first], end: tokens.ends[end - 1] });

  const finish = (category: Category, st: CatState): void => {
    if (st.sentence < 0) return;
    const score = 1 - st.keep;
    st.best = Math.max(st.best, score);
    if (score >= FLAG_AT && st.flaggedSpans.length < MAX_SPANS) st.flaggedSpans.push(...st.spans.slice(0, MAX_SPANS));
    for (let k = 0; k < COMBOS.length; k++) {
      const c = COMBOS[k];
      if (c.from !== category || score < c.min) continue;
      const lo = bounds.first[st.sentence];
      const hi = bounds.last[st.sentence];
      const gid = comboGroups[k];
      const at = firstAtLeast(ctxStart[gid], lo, hi);
      if (at < 0) continue;
      const entry = combo.get(c.category) ?? { score: 0, spans: [] };
      entry.score = Math.max(entry.score, c.score);
      if (entry.spans.length < MAX_SPANS) entry.spans.push(...st.spans.slice(0, MAX_SPANS), span(ctxStart[gid]![at], ctxEnd[gid]![at]));
      combo.set(c.category, entry);
    }
  };

  for (const { e, first, end } of hits) {
    const s = tokens.sentence[first];
    const lo = bounds.first[s];
    const hi = bounds.last[s];
    let score = e.weight;
    let missing = false;
    for (const letter of e.boosts) {
      const spec = BOOSTS[letter];
      if (!spec) continue;
      if (anyIn(boostGroups.get(letter)!, Math.max(lo, first - spec.before), Math.min(hi, end - 1 + spec.after))) score += spec.bonus;
      else if (e.all) {
        missing = true;
        break;
      }
    }
    // `&`: a compositional cue counts only when every one of its frames is there.
    if (missing && e.all) continue;
    if (!e.immune) {
      if (first > lo && anyIn(negation, Math.max(lo, first - NEGATION_WINDOW), first - 1)) score *= NEGATION_FACTOR;
      if (anyIn(e.damp, Math.max(lo, first - DAMP_WINDOW), Math.min(hi, end - 1 + DAMP_WINDOW))) score *= DAMP_FACTOR;
    }
    if (score < 0.05) continue;
    let st = states.get(e.category);
    if (!st) states.set(e.category, (st = { sentence: -1, keep: 1, lastEnd: -1, lastScore: 0, spans: [], best: 0, flaggedSpans: [] }));
    if (st.sentence !== s) {
      finish(e.category, st);
      st.sentence = s;
      st.keep = 1;
      st.lastEnd = -1;
      st.lastScore = 0;
      st.spans = [];
    }
    const p = Math.min(score, 0.99);
    if (first < st.lastEnd) {
      // Overlapping cues of one category are one piece of evidence: keep the stronger.
      if (p <= st.lastScore) continue;
      st.keep = (st.keep / (1 - st.lastScore)) * (1 - p);
    } else st.keep *= 1 - p;
    st.lastScore = p;
    st.lastEnd = Math.max(st.lastEnd, end);
    if (st.spans.length < MAX_SPANS) st.spans.push(span(first, end));
  }
  for (const [category, st] of states) finish(category, st);

  const out: CategoryVerdict[] = [];
  for (const category of CATEGORIES) {
    const st = states.get(category);
    const c = combo.get(category);
    const direct = st && st.best >= FLAG_AT ? st.best : 0;
    const score = Math.max(direct, c?.score ?? 0);
    if (score < FLAG_AT) continue;
    const spans = mergeSpans([...(direct >= FLAG_AT ? st!.flaggedSpans : []), ...(c && c.score >= FLAG_AT ? c.spans : [])]);
    out.push({ category, score: Math.round(Math.min(1, score) * 1000) / 1000, flagged: true, spans });
  }
  return withImpliedParents(out);
}

/** First and last token of each sentence. */
function sentenceBounds(t: Tokens): { first: number[]; last: number[] } {
  const first: number[] = [];
  const last: number[] = [];
  const sentence = t.sentence;
  for (let i = 0; i < sentence.length; i++) {
    const s = sentence[i];
    if (s === first.length) first.push(i);
    last[s] = i;
  }
  return { first, last };
}

/** Index of the first value in sorted `list` within [lo, hi], or -1 (also when the group never occurred). */
function firstAtLeast(list: readonly number[] | undefined, lo: number, hi: number): number {
  if (list === undefined || lo > hi) return -1;
  let a = 0;
  let b = list.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (list[m] < lo) a = m + 1;
    else b = m;
  }
  return a < list.length && list[a] <= hi ? a : -1;
}
