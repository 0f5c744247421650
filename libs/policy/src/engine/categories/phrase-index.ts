import { skeletonWord, type Tokens } from './skeleton';

/**
 * Endings a `stem*` pattern word accepts (on the collapsed skeleton: `stabbing` reads `stabing`). A closed list,
 * not a prefix match, so `kill*` finds `killed`, `killer`, `killing` but never `kilogram` or `kiln`.
 */
const SUFFIXES = [
  ...['', 's', 'es', 'ed', 'd', 'ing', 'ings', 'er', 'ers', 'r', 'rs', 'ion', 'ions', 'ation', 'ations', 'al', 'e', 'en', 'y', 'ly'],
  ...['ist', 'ists', 'ism', 'is', 'ize', 'ized', 'izing', 'ise', 'ised', 'ising', 'ic', 'ity'],
];
const SUFFIX_SET = new Set(SUFFIXES);

interface Compiled<T> {
  words: string[];
  /** Per word: 0 exact, 1 stem (inflections allowed), 2 any one token (`_`). */
  kinds: number[];
  data: T;
}

/**
 * A phrase lexicon over skeleton tokens. Pattern syntax: words separated by spaces; `word*` accepts the word's
 * inflections; `_` stands for any one token. Lookup is by the first word (exact, or stem by stripping each known
 * ending), so a scan costs a bounded number of map lookups per token: linear in the text.
 */
export class PhraseIndex<T> {
  private readonly exact = new Map<string, Compiled<T>[]>();
  private readonly stems = new Map<string, Compiled<T>[]>();

  constructor(entries: readonly { pattern: string; data: T }[]) {
    for (const { pattern, data } of entries) {
      const parts = pattern.trim().split(/\s+/);
      const words: string[] = [];
      const kinds: number[] = [];
      for (const p of parts) {
        if (p === '_') {
          words.push('');
          kinds.push(2);
          continue;
        }
        const stem = p.endsWith('*');
        // A pattern word may fold into several skeleton words (`don't` stays one, `self-harm` becomes two).
        const folded = p.replace(/\*$/, '').split(/[^\p{L}\p{N}@$!|'\u2019]+/u).filter(Boolean).map(skeletonWord);
        folded.forEach((w, k) => {
          words.push(w);
          kinds.push(stem && k === folded.length - 1 ? 1 : 0);
        });
      }
      if (words.length === 0 || kinds[0] === 2) throw new Error(`bad lexicon pattern '${pattern}'`);
      const c: Compiled<T> = { words, kinds, data };
      const map = kinds[0] === 1 ? this.stems : this.exact;
      const list = map.get(words[0]) ?? [];
      list.push(c);
      map.set(words[0], list);
    }
  }

  /** Patterns that may start at a word, memoised: prose repeats its vocabulary. Bounded, reset when full. */
  private readonly starting = new Map<string, readonly Compiled<T>[]>();

  /** Calls `onHit(data, firstToken, endToken)` for every occurrence of every pattern (end exclusive). */
  scan(tokens: Tokens, onHit: (data: T, first: number, end: number) => void): void {
    const w = tokens.words;
    for (let i = 0; i < w.length; i++) {
      const word = w[i];
      if (word.length > 40) continue; // no lexicon word is this long
      for (const c of this.candidates(word)) this.tryAt(c, w, i, onHit);
    }
  }

  private candidates(word: string): readonly Compiled<T>[] {
    const known = this.starting.get(word);
    if (known) return known;
    const out: Compiled<T>[] = [...(this.exact.get(word) ?? [])];
    for (const s of SUFFIXES) {
      if (!word.endsWith(s) || word.length <= s.length) continue;
      out.push(...(this.stems.get(s === '' ? word : word.slice(0, word.length - s.length)) ?? []));
    }
    if (this.starting.size >= 50_000) this.starting.clear();
    this.starting.set(word, out);
    return out;
  }

  private tryAt(c: Compiled<T>, w: readonly string[], i: number, onHit: (data: T, first: number, end: number) => void): void {
    if (i + c.words.length > w.length) return;
    for (let k = 1; k < c.words.length; k++) {
      if (!matches(c.kinds[k], c.words[k], w[i + k])) return;
    }
    onHit(c.data, i, i + c.words.length);
  }
}

function matches(kind: number, want: string, got: string): boolean {
  if (kind === 2) return true;
  if (kind === 0) return want === got;
  return got.startsWith(want) && SUFFIX_SET.has(got.slice(want.length));
}
