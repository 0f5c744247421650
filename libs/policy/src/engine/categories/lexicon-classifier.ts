import type { CallSignal } from '@gw/inference';
import { CATEGORIES, ClassifierUnavailableError, type Category, type CategoryVerdict, type ContentClassifier, type Span } from '../types';
import { mergeSpans, withImpliedParents } from './hierarchy';
import { BOOSTS, COMBOS, CONTEXT_GROUPS, DAMP_FACTOR, DAMP_WINDOW, FLAG_AT, LEXICON, NEGATION_FACTOR, NEGATION_WINDOW } from './lexicon-data';
import { PhraseIndex } from './phrase-index';
import { tokenize, type Tokens } from './skeleton';

/** Evidence spans kept per category (a hostile text can repeat a cue a million times). */
const MAX_SPANS = 32;

type Entry = { kind: 'cue'; category: Category; weight: number; boosts: string; immune: boolean; all: boolean; damp: number[] } | { kind: 'ctx'; group: number };

interface Compiled {
  index: PhraseIndex<Entry>;
  groupIds: Map<string, number>;
  /** Per boost letter, its context groups' ids; the negation group; per combo, its group's id (resolved once). */
  boostGroups: Map<string, number[]>;
  negation: number[];
  comboGroups: number[];
}

let compiled: Compiled | undefined;

/** Builds the phrase index once, on first use; a typo in the data (unknown group) throws here, caught by the tests. */
function compile(): Compiled {
  if (compiled) return compiled;
  const groupIds = new Map(Object.keys(CONTEXT_GROUPS).map((g, i) => [g, i]));
  const id = (g: string): number => {
    const n = groupIds.get(g);
    if (n === undefined) throw new Error(`lexicon: unknown context group '${g}'`);
    return n;
  };
  const entries: { pattern: string; data: Entry }[] = [];
  for (const [group, phrases] of Object.entries(CONTEXT_GROUPS)) {
    for (const p of phrases) entries.push({ pattern: p, data: { kind: 'ctx', group: id(group) } });
  }
  for (const category of CATEGORIES) {
    const lex = LEXICON[category];
    for (const [pattern, weight, boosts = '', damp = []] of lex.cues) {
      for (const b of boosts) if (b !== '!' && b !== '&' && !BOOSTS[b]) throw new Error(`lexicon: unknown boost '${b}'`);
      const groups = [...new Set([...lex.damp, ...damp])].map(id);
      entries.push({ pattern, data: { kind: 'cue', category, weight, boosts, immune: boosts.includes('!'), all: boosts.includes('&'), damp: groups } });
    }
  }
  const boostGroups = new Map(Object.entries(BOOSTS).map(([k, b]) => [k, b.groups.map(id)]));
  const comboGroups = COMBOS.map((c) => id(c.group));
  compiled = { index: new PhraseIndex(entries), groupIds, boostGroups, negation: [id('negation')], comboGroups };
  return compiled;
}

/**
 * Builds the lexicon's phrase index now rather than on the first classified text: the build takes ~70 ms of one
 * event-loop turn here, which the first policy request after a start (and every stream in flight with it) would
 * otherwise wait for. Each isolate builds its own (the embedded control thread too, off the main event loop).
 */
export function warmLexicon(): void {
  compile();
}

/** Whether the phrase index is built (what {@link warmLexicon} guarantees). */
export function lexiconReady(): boolean {
  return compiled !== undefined;
}

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

function judge(text: string): CategoryVerdict[] {
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
