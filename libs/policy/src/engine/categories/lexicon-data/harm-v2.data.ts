import type { CategoryLexicon, CueSpec } from './types';

/**
 * v2 cue families for violence, threats, harassment and hate: broad word families that fire only in a frame
 * (intent + target, target + outcome, threat clause + "you", protected group + trait). Appended to harm.data.ts.
 */
const w = (weight: number, boosts: string, items: readonly string[]): CueSpec[] => items.map((x): CueSpec => [x, weight, boosts]);

/** Harm verbs (stems): weak alone; intent (W), a person target after (T) and a death outcome (D) make them count. */
export const HARM_VERBS = [
  'kill*', 'murder*', 'stab*', 'strangl*', 'chok*', 'shoot*', 'punch*', 'slap*', 'smash*', 'stomp*', 'tortur*', 'poison*',
  'drown*', 'set _ on fire', 'run _ over', 'behead*', 'lynch*', 'hurt*', 'maim*', 'crippl*', 'bash*', 'batter*', 'bludgeon*',
  'pummel*', 'assassinat*', 'knife', 'shank*', 'suffocat*', 'smother*', 'massacre*', 'slaughter*', 'mutilat*', 'gun* down',
  'knock* _ teeth', 'break* _ neck', 'break* _ jaw', 'break* _ legs', 'break* _ arm*', 'cave* _ in', 'snap* _ neck', 'spray* the',
  'ambush*', 'torch', 'hang* him', 'hang* her', 'hang* them', 'burn* _ alive', 'burn* _ down', 'kick* _ in the', 'kick* _ across',
  'hit* _ with a', 'hit* _ _ with a', 'hitting _ with a', 'rip* _ head off', 'rip* _ throat out', 'blow* up the', 'shoot* up the', 'jumped him', 'jumped her', 'jump him', 'jump her',
];
/** "beat" is sports and cooking talk unless the outcome is injury: it needs a target and an outcome, or "up". */
const BEAT = ['beat*', 'beat* _ up', 'beat* up'];
const PASSIVE = ['killed', 'shot', 'hanged', 'hung', 'stabbed', 'beaten', 'tortured', 'murdered', 'executed', 'assassinated', 'lynched', 'burned', 'gassed', 'slaughtered', 'strangled', 'poisoned', 'put down', 'wiped out', 'exterminated', 'stoned', 'hunted down', 'beheaded'];
const passiveFrames = PASSIVE.flatMap((v) => [`should be ${v}`, `needs to be ${v}`, `need to be ${v}`, `must be ${v}`, `deserve* to be ${v}`, `ought to be ${v}`, `should get ${v}`]);

export const VIOLENCE_V2: CategoryLexicon = {
  damp: [],
  cues: [
    ...w(0.2, 'WTDh', HARM_VERBS),
    ...w(0.2, 'TD', BEAT.slice(0, 1)),
    ...w(0.3, 'WT', BEAT.slice(1)),
    ...w(0.8, '', passiveFrames),
    ...w(0.8, '', ['deserve* to die', 'deserves to suffer', 'want* to watch _ suffer', 'watch him suffer', 'watch her suffer', 'beat* the crap out of', 'beat* the hell out of', 'beat* the living', 'take* a bat to', 'set him on fire', 'set her on fire', 'set them on fire', 'with him inside', 'with her inside', 'with them inside', 'shoot* every', 'shoot* whoever']),
    ...w(0.45, 'T', ['i punched', 'i hit', 'i kicked', 'i beat', 'i stabbed', 'i shot', 'i choked', 'i slapped', 'i strangled', 'we beat', 'we stabbed', 'we shot', 'kill* all', 'kill* every', 'shoot* all', 'shoot* every']),
    ...w(0.35, 'WT', ['kidnap*', 'torch* _ car', 'poison* _ tea', 'poison* _ drink', 'poison* _ food']),
  ],
};

export const VIOLENCE_GRAPHIC_V2: CategoryLexicon = {
  damp: [],
  cues: [
    ...w(0.3, 'VC', ['gore', 'gory', 'gruesome', 'guts', 'intestine*', 'entrails', 'corpse*', 'severed', 'mangled', 'decapitat*', 'dismember*', 'disembowel*', 'eviscerat*', 'mutilat*', 'flayed', 'gouged', 'impaled', 'maggots', 'tortur*', 'skinned', 'eaten alive', 'burned alive', 'burnt alive', 'chainsaw', 'wood chipper', 'exposed bone*', 'torn off', 'ripped off', 'ripped apart', 'skinn* _ alive']),
    ...w(0.3, 'V', ['blood', 'bloody', 'bloodier', 'skull*', 'flesh', 'bone*', 'brains', 'pulp', 'torn open', 'splatter*', 'gush*', 'spray*', 'exploding']),
    ...w(0.75, '', ['blood gush*', 'blood spurt*', 'blood pour*', 'blood spray*', 'blood sprays', 'blood and brain*', 'skull crack*', 'head explod*', 'eyes _ gouged', 'flesh torn', 'skinning _ alive', 'burned alive', 'severed head', 'throat slit', 'rotting corpse', 'intestines spill*', 'guts spill*', 'rotting', 'covered in maggots', 'dismembered bodies', 'gory description']),
  ],
};

/** Insult nouns and adjectives: they count aimed at "you" (Y) or a person named next to them (Q). */
const INSULTS = ['idiot*', 'moron*', 'loser*', 'bitch*', 'whore*', 'slut*', 'retard*', 'dumbass*', 'dumbfuck*', 'dipshit*', 'twat*', 'wanker*', 'scumbag*', 'bastard*', 'imbecile*', 'jackass*', 'douchebag*', 'skank*', 'cunt*', 'brain dead', 'braindead', 'spineless'];
/** Weaker insults: only aimed at "you". */
const AIMED = ['pathetic', 'worthless', 'disgusting', 'incompetent', 'crybaby', 'clown', 'creep', 'freak', 'prick', 'dumbest', 'stupidest', 'ugliest', 'fattest'];

export const HARASSMENT_V2: CategoryLexicon = {
  damp: ['sports'],
  cues: [
    ...w(0.3, 'YQ', INSULTS),
    ...w(0.3, 'Y', AIMED),
    ...w(0.8, '', ['little rat', 'dirty rat', 'fat pig', 'fat cow', 'ugly cow']),
    ...w(0.8, '', ['piece of shit', 'piece of trash', 'piece of garbage', 'waste of oxygen', 'waste of space', 'waste of air', 'nobody asked you', 'no one asked you', 'laugh at you', 'go cry to', 'get a life', 'shut up you', 'shut the fuck up', 'fuck you', 'eat shit', 'your so stupid', 'you are so stupid', 'you look like shit', 'nobody likes you', 'everyone hates you']),
    ...w(0.3, 'CT', ['humiliat*', 'mock*', 'make fun of', 'bully*', 'belittl*', 'degrad*', 'roast', 'mean message', 'insult*', 'ridicul*']),
  ],
};

export const HARASSMENT_THREATENING_V2: CategoryLexicon = {
  damp: ['sports', 'law', 'tech'],
  cues: [
    ...w(0.15, 'WYX', HARM_VERBS),
    ...w(0.15, 'YDX', BEAT),
    ...w(0.3, 'Y', passiveFrames),
    ...w(0.85, '', ['shit out of you', 'crap out of you', 'hell out of you', 'youre going to die', 'you are going to die', 'youre gonna die', 'rip your head off']),
    ...w(0.85, '', ['dead meat', 'six feet under', 'regret ever being born', 'snitches get stitches', 'life out of you', 'and shes next', 'put you in the hospital', 'your days are numbered', 'hunt you down', 'find you and', 'im coming for you', 'make you pay', 'make you bleed', 'make you suffer', 'make you regret', 'hope you rot', 'hope you suffer']),
    ...w(0.35, 'XW', ['isnt safe', 'not safe', 'watch what happens', 'wont see it coming', 'pay for this', 'end up', 'get you', 'threaten*', 'scared for _ life', 'coming for', 'find you']),
    ...w(0.45, 'C', ['threatening letter*', 'threatening message*', 'threatening note*', 'threatening text*', 'death threat*']),
  ],
};

/** Traits used to degrade a group; they count only with a protected group near (G). */
const TRAITS = ['stupid', 'lazy', 'dumb', 'filthy', 'dirty', 'disgusting', 'inferior', 'savage*', 'animals', 'vermin', 'parasite*', 'terrorists', 'criminals', 'thieves', 'rapists', 'pervert*', 'freaks', 'mentally ill', 'subhuman', 'inbred', 'smell', 'stink', 'scammers', 'thugs', 'greedy', 'sick in the head', 'evil', 'useless', 'a burden', 'waste of', 'a disease', 'a cancer', 'a plague', 'apes', 'monkeys', 'pigs', 'cockroaches', 'rats', 'leech*', 'brainwashed', 'degenerate*', 'abomination', 'less intelligent', 'too emotional', 'belong in the kitchen', 'shouldnt be allowed', 'should not exist', 'shouldnt exist', 'ban all', 'control the banks', 'control the media', 'dont deserve', 'worthless', 'soulless', 'theyre broken', 'polluting', 'pollutes', 'is superior', 'are superior', 'bitches', 'whores', 'sluts', 'all the same', 'backward*', 'primitive', 'uncivilized', 'goat herders', 'goat fuckers', 'bat eaters', 'scum', 'naturally less'];

export const HATE_V2: CategoryLexicon = {
  damp: ['support', 'defense'],
  cues: [...w(0.2, 'G', TRAITS), ...w(0.85, '', ['n1gger*', 'kikes', 'towelheads', 'race war'])],
};

export const HATE_THREATENING_V2: CategoryLexicon = {
  damp: ['support', 'idiom', 'sports'],
  cues: [
    ...w(0.1, 'GW', ['shoot*', 'bomb*', 'firebomb*', 'burn* _ down', 'wipe* out', 'wiped out', 'round* _ up', 'rounded up', 'hunted down', 'slaughter*', 'run my car into', 'exterminate', 'beat every', 'lynch', 'stab*', 'kill*', 'hang*', 'beat*']),
    ...w(0.25, 'G', ['kill the', 'shoot the', 'hang the', 'burn the', 'lynch the', 'gas all', 'in ovens', 'into ovens', 'into the ovens', 'wiped off', 'wipe* _ off the map', 'a bullet', 'cleanse', 'put _ down like', 'line _ up against a wall', 'death to all', 'make them bleed', 'deserve* to be', 'should be stoned', 'be slaughtered', 'be wiped out', 'need* to be wiped']),
    ...w(0.45, 'G', ['death to', 'gas the']),
  ],
};
