import type { BoostSpec, ComboSpec, LexiconTable } from './types';
import { HARASSMENT, HARASSMENT_THREATENING, HATE, HATE_THREATENING, VIOLENCE, VIOLENCE_GRAPHIC } from './harm.data';
import { DRUGS_SYNTHESIS, EXPLOSIVES_CREATION, ILLICIT, ILLICIT_VIOLENT, MALWARE_CREATION, WEAPONS_CREATION } from './illicit.data';
import { SELF_HARM, SELF_HARM_INSTRUCTIONS, SELF_HARM_INTENT, SEXUAL, SEXUAL_MINORS } from './self-sexual.data';

export { CONTEXT_GROUPS } from './context.data';
export type { BoostSpec, CategoryLexicon, ComboSpec, CueSpec, LexiconTable } from './types';

/** The cue lexicon, one entry per category of CATEGORIES (the compiler checks completeness). */
export const LEXICON: LexiconTable = {
  sexual: SEXUAL,
  'sexual/minors': SEXUAL_MINORS,
  hate: HATE,
  'hate/threatening': HATE_THREATENING,
  harassment: HARASSMENT,
  'harassment/threatening': HARASSMENT_THREATENING,
  'self-harm': SELF_HARM,
  'self-harm/intent': SELF_HARM_INTENT,
  'self-harm/instructions': SELF_HARM_INSTRUCTIONS,
  violence: VIOLENCE,
  'violence/graphic': VIOLENCE_GRAPHIC,
  illicit: ILLICIT,
  'illicit/violent': ILLICIT_VIOLENT,
  'weapons/creation': WEAPONS_CREATION,
  'drugs/synthesis': DRUGS_SYNTHESIS,
  'explosives/creation': EXPLOSIVES_CREATION,
  'malware/creation': MALWARE_CREATION,
};

/** Boost letters used in cue specs. Upper/lower case of one letter share a context at different strengths. */
export const BOOSTS: Readonly<Record<string, BoostSpec>> = {
  H: { groups: ['howto'], before: 10, after: 2, bonus: 0.5 },
  h: { groups: ['howto'], before: 10, after: 2, bonus: 0.2 },
  M: { groups: ['make'], before: 8, after: 2, bonus: 0.6 },
  C: { groups: ['make', 'ask'], before: 8, after: 2, bonus: 0.35 },
  W: { groups: ['want'], before: 6, after: 0, bonus: 0.4 },
  T: { groups: ['person', 'you', 'protected'], before: 0, after: 5, bonus: 0.4 },
  Y: { groups: ['you'], before: 3, after: 2, bonus: 0.5 },
  G: { groups: ['protected'], before: 12, after: 12, bonus: 0.6 },
  F: { groups: ['first'], before: 4, after: 0, bonus: 0.4 },
  K: { groups: ['minor'], before: 8, after: 8, bonus: 0.6 },
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
