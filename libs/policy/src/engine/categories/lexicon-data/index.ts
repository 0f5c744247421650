import type { BoostSpec, CategoryLexicon, ComboSpec, LexiconTable } from './types';
import { CONTEXT_GROUPS as BASE_GROUPS } from './context.data';
import { EXTRA_GROUPS, NEW_GROUPS } from './frames.data';
import { HARASSMENT, HARASSMENT_THREATENING, HATE, HATE_THREATENING, VIOLENCE, VIOLENCE_GRAPHIC } from './harm.data';
import { HARASSMENT_THREATENING_V2, HARASSMENT_V2, HATE_THREATENING_V2, HATE_V2, VIOLENCE_GRAPHIC_V2, VIOLENCE_V2 } from './harm-v2.data';
import { DRUGS_SYNTHESIS, EXPLOSIVES_CREATION, ILLICIT, ILLICIT_VIOLENT, MALWARE_CREATION, WEAPONS_CREATION } from './illicit.data';
import { DRUGS_SYNTHESIS_V2, EXPLOSIVES_CREATION_V2, ILLICIT_V2, ILLICIT_VIOLENT_V2, MALWARE_CREATION_V2, WEAPONS_CREATION_V2 } from './illicit-v2.data';
import { SELF_HARM, SELF_HARM_INSTRUCTIONS, SELF_HARM_INTENT, SEXUAL, SEXUAL_MINORS } from './self-sexual.data';
import { SELF_HARM_INSTRUCTIONS_V2, SELF_HARM_INTENT_V2, SELF_HARM_V2, SEXUAL_MINORS_V2, SEXUAL_V2 } from './self-sexual-v2.data';

export type { BoostSpec, CategoryLexicon, ComboSpec, CueSpec, LexiconTable } from './types';

/** Context groups: the v1 groups, their v2 additions, and the v2 frame groups. */
export const CONTEXT_GROUPS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(Object.entries(BASE_GROUPS).map(([g, phrases]) => [g, [...phrases, ...(EXTRA_GROUPS[g] ?? [])]])),
  ...NEW_GROUPS,
};

/** A v1 category lexicon with its v2 families appended (damp groups are the union). */
const merge = (v1: CategoryLexicon, v2: CategoryLexicon): CategoryLexicon => ({ damp: [...new Set([...v1.damp, ...v2.damp])], cues: [...v1.cues, ...v2.cues] });

/** The cue lexicon, one entry per category of CATEGORIES (the compiler checks completeness). */
export const LEXICON: LexiconTable = {
  sexual: merge(SEXUAL, SEXUAL_V2),
  'sexual/minors': merge(SEXUAL_MINORS, SEXUAL_MINORS_V2),
  hate: merge(HATE, HATE_V2),
  'hate/threatening': merge(HATE_THREATENING, HATE_THREATENING_V2),
  harassment: merge(HARASSMENT, HARASSMENT_V2),
  'harassment/threatening': merge(HARASSMENT_THREATENING, HARASSMENT_THREATENING_V2),
  'self-harm': merge(SELF_HARM, SELF_HARM_V2),
  'self-harm/intent': merge(SELF_HARM_INTENT, SELF_HARM_INTENT_V2),
  'self-harm/instructions': merge(SELF_HARM_INSTRUCTIONS, SELF_HARM_INSTRUCTIONS_V2),
  violence: merge(VIOLENCE, VIOLENCE_V2),
  'violence/graphic': merge(VIOLENCE_GRAPHIC, VIOLENCE_GRAPHIC_V2),
  illicit: merge(ILLICIT, ILLICIT_V2),
  'illicit/violent': merge(ILLICIT_VIOLENT, ILLICIT_VIOLENT_V2),
  'weapons/creation': merge(WEAPONS_CREATION, WEAPONS_CREATION_V2),
  'drugs/synthesis': merge(DRUGS_SYNTHESIS, DRUGS_SYNTHESIS_V2),
  'explosives/creation': merge(EXPLOSIVES_CREATION, EXPLOSIVES_CREATION_V2),
  'malware/creation': merge(MALWARE_CREATION, MALWARE_CREATION_V2),
};

/** Boost letters used in cue specs. Upper/lower case of one letter share a context at different strengths. */
export const BOOSTS: Readonly<Record<string, BoostSpec>> = {
  H: { groups: ['howto'], before: 10, after: 2, bonus: 0.5 },
  h: { groups: ['howto'], before: 10, after: 2, bonus: 0.2 },
  M: { groups: ['make'], before: 8, after: 2, bonus: 0.6 },
  C: { groups: ['make', 'ask'], before: 8, after: 2, bonus: 0.35 },
  W: { groups: ['want'], before: 6, after: 0, bonus: 0.4 },
  T: { groups: ['person', 'you', 'protected', 'place'], before: 0, after: 5, bonus: 0.4 },
  Y: { groups: ['you'], before: 3, after: 2, bonus: 0.5 },
  G: { groups: ['protected'], before: 12, after: 12, bonus: 0.6 },
  F: { groups: ['first'], before: 4, after: 0, bonus: 0.4 },
  K: { groups: ['minor'], before: 8, after: 8, bonus: 0.6 },
  // v2 frames
  Q: { groups: ['person', 'you', 'aim'], before: 5, after: 1, bonus: 0.5 },
  E: { groups: ['selfgoal'], before: 10, after: 10, bonus: 0.4 },
  U: { groups: ['purpose'], before: 0, after: 8, bonus: 0.45 },
  D: { groups: ['death'], before: 0, after: 5, bonus: 0.4 },
  R: { groups: ['self'], before: 0, after: 3, bonus: 0.5 },
  S: { groups: ['stealth'], before: 14, after: 14, bonus: 0.45 },
  B: { groups: ['buy'], before: 6, after: 0, bonus: 0.45 },
  V: { groups: ['graphic'], before: 12, after: 12, bonus: 0.4 },
  X: { groups: ['threat'], before: 10, after: 10, bonus: 0.45 },
};

/** Derived verdicts (see ComboSpec). */
export const COMBOS: readonly ComboSpec[] = [
  { category: 'sexual/minors', from: 'sexual', min: 0.5, group: 'minor', score: 1 },
  { category: 'illicit/violent', from: 'violence', min: 0.75, group: 'howto', score: 0.9 },
  { category: 'hate/threatening', from: 'violence', min: 0.75, group: 'protected', score: 0.9 },
];

/** A category fires when one sentence's combined evidence reaches this. */
export const FLAG_AT = 0.75;
/** Factor for a cue preceded (within NEGATION_WINDOW words) by a negation. */
export const NEGATION_FACTOR = 0.2;
export const NEGATION_WINDOW = 3;
/** Factor for a cue with one of its benign context groups within DAMP_WINDOW words (same sentence). */
export const DAMP_FACTOR = 0.25;
export const DAMP_WINDOW = 10;
