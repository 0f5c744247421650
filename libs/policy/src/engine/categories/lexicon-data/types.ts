import type { Category } from '../../types';

/**
 * One cue: `[pattern, weight, boosts?, damp?]`.
 * - pattern: phrase over skeleton words (`word*` = inflections, `_` = any one word), see PhraseIndex.
 * - weight: evidence on its own, 0..1; a category fires at {@link FLAG_AT} per sentence (noisy-OR of its cues).
 * - boosts: letters from {@link BoostLetter}; each adds its bonus when its context is near. `!` makes the cue
 *   immune to negation and benign-context dampening (for cues that already say what they mean).
 *   `&` makes every boost required: the cue counts only when all its frames are near (a strict AND).
 * - damp: benign context groups dampening this cue on top of its category's.
 */
export type CueSpec = readonly [pattern: string, weight: number, boosts?: string, damp?: readonly string[]];

export interface CategoryLexicon {
  /** Benign context groups (names in CONTEXT_GROUPS) that dampen every cue of this category. */
  damp: readonly string[];
  cues: readonly CueSpec[];
}

export type LexiconTable = Readonly<Record<Category, CategoryLexicon>>;

/**
 * Context a boost letter looks for: a hit of one of `groups` starting within `before` words before the cue or
 * `after` words after its end (same sentence).
 */
export interface BoostSpec {
  groups: readonly string[];
  before: number;
  after: number;
  bonus: number;
}

/** A derived verdict: `category` fires at `score` in a sentence where `from` scores at least `min` and `group` appears. */
export interface ComboSpec {
  category: Category;
  from: Category;
  min: number;
  group: string;
  score: number;
}
