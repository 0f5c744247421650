import { CharClass, charClass, foldString } from './fold';
import { buildAutomaton, ROOT_MASK } from './term-automaton';
import { hashCp, hasCollision, PRIME, tokenizeTerm, type TermToken } from './term-tokens';

export { termTokenCount } from './term-tokens';

/** A term found in a text: the term's index in the list it was built from, and its range in the scanned text. */
export interface TermHit {
  term: number;
  start: number;
  end: number;
}

export interface TermScan {
  hits: TermHit[];
  /** Where the longest match still open at the end of the text starts (`text.length` when none): a stream holds back from here. */
  openFrom: number;
}

const LOWER = new Uint8Array(128).map((_, c) => (c >= 65 && c <= 90 ? c + 32 : c));
const ASCII_CLASS = new Uint8Array(128).map((_, c) => charClass(c));

/**
 * Whole-word, case-insensitive matching of many terms in one pass: an Aho–Corasick automaton whose alphabet is
 * tokens, not characters. A token is a run of word characters, or one punctuation/symbol/CJK character; terms
 * match on token boundaries only, and whitespace between tokens is ignored (a space inside a term matches any run of it, or none
 * between punctuation: `competitor-x` matches `competitor - x`, `秘密` matches `秘 密`). The scan hashes each
 * folded token as it walks the text (no allocation per token); a candidate is verified against the term's own
 * tokens, so a hash collision can cost a comparison, never a false hit. Hand-written: the npm Aho–Corasick
 * packages match characters (no word boundaries, no whitespace runs, no offsets after folding).
 */
export class TermMatcher {
  private readonly next: Array<Map<number, number>>;
  private readonly fail: Int32Array;
  private readonly rootBits: Uint8Array;
  private readonly out: number[][];
  private readonly depth: number[];
  private readonly tokens: TermToken[][];
  private readonly ringSize: number;
  /**
   * Where the last `ringSize` tokens start and end, reused by every scan: a scan is synchronous and reads only slots
   * it wrote. Two arrays per scan cost ~2.4 µs once a term has more than 16 tokens (their storage leaves V8's heap).
   */
  private readonly ringStart: Int32Array;
  private readonly ringEnd: Int32Array;

  private constructor(
    readonly terms: readonly string[],
    private readonly seed: number,
  ) {
    this.tokens = terms.map((t) => tokenizeTerm(t, seed));
    this.ringSize = Math.max(1, ...this.tokens.map((t) => t.length));
    this.ringStart = new Int32Array(this.ringSize);
    this.ringEnd = new Int32Array(this.ringSize);
    const a = buildAutomaton(this.tokens);
    this.next = a.next;
    this.fail = a.fail;
    this.rootBits = a.rootBits;
    this.out = a.out;
    this.depth = a.depth;
  }

  /** Builds the automaton; every term must have at least one token (see {@link termTokenCount}). */
  static build(terms: readonly string[]): TermMatcher {
    for (let seed = 0x811c9dc5, tries = 0; ; seed = Math.imul(seed ^ 0x5bd1e995, PRIME) >>> 0, tries++) {
      if (!hasCollision(terms, seed) || tries > 8) return new TermMatcher(terms, seed);
    }
  }

  get size(): number {
    return this.terms.length;
  }

  scan(text: string): TermScan {
    const hits: TermHit[] = [];
    const R = this.ringSize;
    const { ringStart, ringEnd } = this;
    let count = 0;
    let state = 0;
    /** The state before the last token: an unfinished last word must not count as a whole token for hold-back. */
    let before = 0;
    let lastEnd = 0;
    let lastWord = false;
    const n = text.length;
    for (let i = 0; i < n; ) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff) cp = text.codePointAt(i)!;
      const cls = cp < 128 ? ASCII_CLASS[cp] : charClass(cp);
      if (cls === CharClass.Space) {
        i += cp > 0xffff ? 2 : 1;
        continue;
      }
      const start = i;
      let h = this.seed;
      if (cls === CharClass.Single) {
        h = hashCp(h, cp);
        i += cp > 0xffff ? 2 : 1;
      } else {
        // Hot loop: ASCII word characters hash inline through a lowercase table.
        for (;;) {
          if (cp < 128) {
            h = Math.imul(h ^ LOWER[cp], PRIME);
            i++;
          } else {
            h = hashCp(h, cp);
            i += cp > 0xffff ? 2 : 1;
          }
          if (i >= n) break;
          cp = text.charCodeAt(i);
          if (cp < 128) {
            if (ASCII_CLASS[cp] !== CharClass.Word) break;
          } else {
            if (cp >= 0xd800 && cp <= 0xdbff) cp = text.codePointAt(i)!;
            if (charClass(cp) !== CharClass.Word) break;
          }
        }
      }
      const key = h & 0x1fffffff;
      // Most tokens start no term: a bit per root key hash skips the map lookup for them.
      before = state;
      if (state === 0 && (this.rootBits[(key >>> 3) & ROOT_MASK] & (1 << (key & 7))) === 0) {
        ringStart[count % R] = start;
        ringEnd[count % R] = i;
        lastEnd = i;
        lastWord = cls === CharClass.Word;
        count++;
        continue;
      }
      const slot = count % R;
      ringStart[slot] = start;
      ringEnd[slot] = i;
      count++;
      lastEnd = i;
      lastWord = cls === CharClass.Word;
      state = this.step(state, key);
      for (const term of this.out[state]) {
        const k = this.tokens[term].length;
        const first = count - k;
        if (this.verify(text, term, first, ringStart, ringEnd)) hits.push({ term, start: ringStart[first % R], end: i });
      }
    }
    // Open = a state that can still grow into a longer term (a finished term with no longer extension is not open).
    // An unfinished last word may still become any token: what was open before it stays open, and it is held too.
    const unfinished = lastWord && lastEnd === n && count > 0;
    let open = unfinished ? before : state;
    while (open !== 0 && this.next[open].size === 0) open = this.fail[open];
    const lastTokens = unfinished ? count - 1 : count;
    let openFrom = open !== 0 ? ringStart[(lastTokens - this.depth[open]) % R] : n;
    if (unfinished) openFrom = Math.min(openFrom, ringStart[(count - 1) % R]);
    return { hits, openFrom };
  }

  private step(state: number, key: number): number {
    for (;;) {
      if (state === 0) return this.next[0].get(key) ?? 0;
      const to = this.next[state].get(key);
      if (to !== undefined) return to;
      state = this.fail[state];
    }
  }

  private verify(text: string, term: number, first: number, starts: Int32Array, ends: Int32Array): boolean {
    const want = this.tokens[term];
    for (let j = 0; j < want.length; j++) {
      const slot = (first + j) % this.ringSize;
      if (foldString(text.slice(starts[slot], ends[slot])) !== want[j].folded) return false;
    }
    return true;
  }
}
