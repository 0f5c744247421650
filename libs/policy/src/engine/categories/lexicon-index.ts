/** The built-in lexicon compiled into one phrase index: built once per isolate, on first use or at warm-up. */
import { CATEGORIES, type Category } from '../types';
import { BOOSTS, COMBOS, CONTEXT_GROUPS, LEXICON } from './lexicon-data';
import { PhraseIndex } from './phrase-index';

export type Entry = { kind: 'cue'; category: Category; weight: number; boosts: string; immune: boolean; all: boolean; damp: number[] } | { kind: 'ctx'; group: number };

export interface Compiled {
  index: PhraseIndex<Entry>;
  groupIds: Map<string, number>;
  /** Per boost letter, its context groups' ids; the negation group; per combo, its group's id (resolved once). */
  boostGroups: Map<string, number[]>;
  negation: number[];
  comboGroups: number[];
}

let compiled: Compiled | undefined;

/** Builds the phrase index once, on first use; a typo in the data (unknown group) throws here, caught by the tests. */
export function compile(): Compiled {
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
