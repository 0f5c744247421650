import type { CategoryLexicon, CueSpec } from './types';

/** Insults too common in tech/business text to count alone ("empty the trash", "ugly hack"): only as "you are X". */
const AIMED_ONLY = ['trash', 'garbage', 'fat', 'dumb', 'ugly', 'pig', 'clown', 'jerk', 'failure', 'freak', 'useless', 'joke'];
const aimed: CueSpec[] = AIMED_ONLY.flatMap((x) =>
  ['you are', 'youre', 'ur', 'you', 'you are a', 'youre a', 'you are such a', 'youre such a', 'such a _', 'you are so', 'youre so', 'ur so'].map(
    (p): CueSpec => [`${p} ${x}`, 0.8],
  ),
);

/** Dehumanising predicates in the forms people write them: "X are vermin", "they're all vermin". */
const predicates = (nouns: readonly string[]): string[] => nouns.flatMap((n) => [`are ${n}`, `are all ${n}`, `theyre ${n}`, `theyre all ${n}`]);
/** Killing verbs (and participles) that turn hate against a group into a threat. */
const KILL = ['kill', 'exterminate', 'wipe out', 'shoot', 'hang', 'gas', 'slaughter', 'burn', 'murder', 'lynch', 'eliminate'];
const KILLED = ['killed', 'exterminated', 'wiped out', 'shot', 'hanged', 'hung', 'gassed', 'slaughtered', 'burned', 'burnt', 'murdered', 'lynched', 'eliminated'];

/** Violence verbs: weak alone, they fire with intent ("I'm going to"), a person target or a how-to. */
const VERBS = ['kill*', 'murder*', 'stab*', 'strangl*', 'behead*', 'slaughter*', 'massacre*', 'tortur*', 'shoot*'];

export const VIOLENCE: CategoryLexicon = {
  damp: ['tech', 'fiction', 'games', 'history', 'news', 'sports', 'idiom', 'photo', 'tools', 'law', 'pests'],
  cues: [
    ...VERBS.map((v): CueSpec => [v, 0.3, 'WTh']),
    ['beat* _ up', 0.35, 'WT'],
    ['beat* up', 0.3, 'WT'],
    ['beat* the shit out of', 0.6, 'W'],
    ['burn* _ alive', 0.5, 'WH'],
    ['assault*', 0.2, 'WT'],
    ['poison*', 0.2, 'WTh', ['medical']],
    ['blow* _ brains out', 0.6, 'W'],
    ['shoot* up _ school', 0.9],
    ['shoot* up a', 0.3, 'W'],
    ['mass shooting', 0.35, 'WH'],
    ['school shooting', 0.35, 'WH'],
    ['open fire on', 0.5, 'WT'],
    ['bloodbath', 0.3, 'W'],
    ['make _ suffer', 0.45, 'W'],
    ['break* _ legs', 0.35, 'W'],
    ['slit* _ throat', 0.6, 'W'],
    ['run* _ over with', 0.35, 'W'],
  ],
};

export const VIOLENCE_GRAPHIC: CategoryLexicon = {
  damp: ['medical', 'games', 'idiom'],
  cues: [
    ['gore', 0.35, 'C'],
    ['gory', 0.4, 'C'],
    ['disembowel*', 0.6, 'C'],
    ['eviscerat*', 0.6, 'C'],
    ['entrails', 0.45, 'C'],
    ['intestines spill*', 0.7],
    ['guts spill*', 0.7],
    ['decapitat*', 0.5, 'C'],
    ['dismember*', 0.55, 'C'],
    ['mutilat*', 0.45, 'C'],
    ['skull crush*', 0.55],
    ['crushed skull', 0.55],
    ['brains splatter*', 0.65],
    ['brain matter', 0.45, 'C'],
    ['blood splatter*', 0.4, 'C'],
    ['pool of blood', 0.4, 'C'],
    ['flay*', 0.35, 'C'],
    ['ripped apart', 0.3, 'C'],
    ['severed head*', 0.6, 'C'],
    ['severed limb*', 0.55, 'C'],
    ['bone sticking out', 0.45, 'C'],
    ['charred corpse*', 0.5],
    ['rotting corpse*', 0.45],
    ['in graphic detail', 0.45],
    ['skinned alive', 0.7],
    ['blood spray*', 0.45, 'C'],
    ['blood everywhere', 0.35, 'C'],
    ...['torn off', 'ripped out', 'corpse*', 'guts', 'intestines', 'spilled onto'].map((x): CueSpec => [x, 0.2, 'C']),
    ['eyes gouged', 0.65],
    ['gouge* _ eyes', 0.6],
  ],
};

export const HARASSMENT: CategoryLexicon = {
  damp: ['fiction', 'games'],
  cues: [
    ...aimed,
    ...['idiot*', 'stupid', 'moron*', 'loser*', 'pathetic', 'worthless', 'disgusting', 'scum', 'retard*', 'bitch*', 'slut*', 'whore*', 'asshole*', 'dumbass*', 'imbecile*'].map(
      (x): CueSpec => [x, 0.3, 'Y'],
    ),
    ['cunt*', 0.6, 'Y'],
    ['piece of shit', 0.5, 'Y'],
    ['waste of space', 0.5, 'Y'],
    ['waste of oxygen', 0.6, 'Y'],
    ['nobody likes you', 0.85],
    ['no one likes you', 0.85],
    ['everyone hates you', 0.85],
    ['shut up', 0.3, 'Y'],
    ['stfu', 0.6],
    ['fuck you', 0.8],
    ['fuck off', 0.6, 'Y'],
    ['screw you', 0.6],
    ['go to hell', 0.55, 'Y'],
    ['you suck', 0.7],
    ['drop dead', 0.45, 'Y'],
    ['ugly as sin', 0.4, 'Y'],
  ],
};

export const HARASSMENT_THREATENING: CategoryLexicon = {
  damp: ['games', 'fiction', 'idiom'],
  cues: [
    ...['kill*', 'hurt*', 'stab*', 'shoot*', 'murder*', 'rape', 'strangl*', 'destroy', 'beat* _ up', 'find _ and'].map((v): CueSpec => [
      v.includes('_') ? v.replace('_', 'you') : `${v} you`,
      0.4,
      'W',
    ]),
    ['hunt* you down', 0.8],
    ['beat* you', 0.3, 'W'],
    ['sleep with one eye open', 0.7],
    ['kill yourself', 1, '!'],
    ['go kill yourself', 1, '!'],
    ['kys', 0.9],
    ['hope you die', 0.9],
    ['hope you get raped', 1, '!'],
    ['go die', 0.75],
    ['know where you live', 0.9],
    ['watch your back', 0.6],
    ['you will regret', 0.45],
    ['youre dead', 0.45],
    ['you are dead', 0.45],
    ['coming for you', 0.45, 'W'],
    ['break your', 0.3, 'W'],
    ['your family will', 0.4],
    ['you will pay', 0.4],
  ],
};

export const HATE: CategoryLexicon = {
  damp: ['history', 'news', 'education', 'law'],
  cues: [
    ...predicates(['animals', 'vermin', 'parasites', 'filthy parasites', 'subhuman', 'a disease', 'cockroaches', 'rats', 'a plague']).map((x): CueSpec => [x, 0.3, 'G']),
    ...predicates(['inferior', 'filthy', 'dirty', 'criminals', 'terrorists', 'evil', 'disgusting', 'savages']).map((x): CueSpec => [x, 0.2, 'G']),
    ...['are ruining', 'are destroying', 'dont deserve rights', 'dont belong', 'should be deported', 'should go back', 'hate all', 'i hate', 'cant stand', 'breed like'].map(
      (x): CueSpec => [x, 0.2, 'G'],
    ),
    ['subhuman*', 0.5, 'G'],
    ['go back to your country', 0.7],
    ['white power', 0.7],
    ['white supremac*', 0.25],
    ['heil hitler', 0.8, '!'],
    ['sieg heil', 0.7],
    ['race war', 0.45],
    ['great replacement', 0.35],
    ['holocaust never happened', 0.9, '!'],
    ['holocaust was a hoax', 0.9, '!'],
    ['holohoax', 0.9, '!'],
    ['1488', 0.4],
    ['inferior race*', 0.6],
    ['master race', 0.5],
    ...['nigger*', 'faggot*', 'kike*', 'spic', 'spics', 'wetback*', 'raghead*', 'towelhead*', 'gook*', 'beaner*', 'sand nigger*'].map((x): CueSpec => [x, 0.85]),
    ...['nigga*', 'fag', 'fags', 'chink*', 'tranny', 'trannies', 'dyke*', 'paki*', 'kaffir*', 'shemale*'].map((x): CueSpec => [x, 0.5, 'G']),
  ],
};

export const HATE_THREATENING: CategoryLexicon = {
  damp: ['history', 'news', 'education', 'fiction', 'games'],
  cues: [
    ...KILLED.flatMap((v) => [`deserve* to be ${v}`, `should be ${v}`, `must be ${v}`, `need* to be ${v}`]).map((x): CueSpec => [x, 0.35, 'G']),
    ...KILL.flatMap((v) => [`time to ${v}`, `${v} all`, `${v} every`, `${v} them all`, `and ${v} them`]).map((x): CueSpec => [x, 0.3, 'G']),
    ['every last one of', 0.3, 'G'],
    ['round up the', 0.3, 'G'],
    ['kill all', 0.3, 'G'],
    ['exterminat*', 0.35, 'G'],
    ['gas the', 0.4, 'G'],
    ['gas them', 0.35, 'G'],
    ['wipe out', 0.2, 'G'],
    ['should be killed', 0.3, 'G'],
    ['should be shot', 0.3, 'G'],
    ['should be hanged', 0.35, 'G'],
    ['should be hung', 0.35, 'G'],
    ['deserve to die', 0.35, 'G'],
    ['ethnic cleansing', 0.45, 'G'],
    ['genocide', 0.2, 'G'],
    ['lynch*', 0.35, 'G'],
    ['burn their', 0.3, 'G'],
    ['death to', 0.35, 'G'],
    ['day of the rope', 0.9, '!'],
    ['final solution', 0.3, 'G'],
  ],
};
