/** Builds the token-level Aho–Corasick automaton behind TermMatcher: goto maps, failure links, outputs, depths. */
import type { TermToken } from './term-tokens';

/** 2^16 bits: a filter over the hashes of first tokens. */
export const ROOT_MASK = 0x1fff;

export interface Automaton {
  /** Per state, its goto transitions by token key (state 0 is the root). */
  next: Array<Map<number, number>>;
  fail: Int32Array;
  /** A bit per root key hash: most tokens start no term. */
  rootBits: Uint8Array;
  /** Per state, the terms that end there (its failure chain's included). */
  out: number[][];
  /** Per state, how many tokens lead to it. */
  depth: number[];
}

/** The automaton over every term's tokens; every term must have at least one token. */
export function buildAutomaton(tokens: readonly TermToken[][]): Automaton {
  const next: Array<Map<number, number>> = [new Map()];
  const rootBits = new Uint8Array(ROOT_MASK + 1);
  const out: number[][] = [[]];
  const depth: number[] = [0];
  tokens.forEach((toks, term) => {
    let node = 0;
    toks.forEach((t) => {
      const key = t.hash & 0x1fffffff;
      let to = next[node].get(key);
      if (to === undefined) {
        to = next.length;
        next.push(new Map());
        out.push([]);
        depth.push(depth[node] + 1);
        next[node].set(key, to);
      }
      node = to;
    });
    out[node].push(term);
  });
  for (const key of next[0].keys()) rootBits[(key >>> 3) & ROOT_MASK] |= 1 << (key & 7);
  const fail = new Int32Array(next.length);
  const queue: number[] = [...next[0].values()];
  for (let q = 0; q < queue.length; q++) {
    const u = queue[q];
    for (const [key, v] of next[u]) {
      let f = fail[u];
      for (;;) {
        if (f === 0) {
          const to = next[0].get(key);
          fail[v] = to !== undefined && to !== v ? to : 0;
          break;
        }
        const to = next[f].get(key);
        if (to !== undefined) {
          fail[v] = to;
          break;
        }
        f = fail[f];
      }
      if (out[fail[v]].length > 0) out[v] = [...out[v], ...out[fail[v]]];
      queue.push(v);
    }
  }
  return { next, fail, rootBits, out, depth };
}
