import type { CategoryLexicon, CueSpec } from './types';

/**
 * v2 cue families for self-harm and sexual content: a self-harm verb aimed at the speaker (R: a reflexive or
 * "my wrists" right after) is a depiction, with intent (W) a plan, with a how-to (H) a request for a method;
 * sexual act vocabulary needs a request to write or describe (C); with a minor near (K) it is sexual/minors.
 */
const w = (weight: number, boosts: string, items: readonly string[]): CueSpec[] => items.map((x): CueSpec => [x, weight, boosts]);

const SELF_VERBS = ['hit*', 'cut*', 'burn*', 'hurt*', 'harm*', 'starv*', 'punish*', 'scratch*', 'carv*', 'stab*', 'hang*', 'kill*', 'drown*', 'poison*', 'suffocat*', 'shoot*', 'overdos*', 'slit*', 'punch*', 'pinch*', 'bruis*', 'mutilat*', 'gas'];
/** Ways to die or get hurt that a how-to turns into a request for a method. */
const GOALS = ['to die', 'die fast', 'die quickly', 'i die', 'you die', 'kill me', 'end* your life', 'end* my life', 'lethal', 'fatal dose', 'overdose on', 'od on', 'bleed out', 'noose', 'suicide', 'hanging or', 'painless*', 'least painful', 'carbon monoxide', 'throw up after', 'hide* _ scars', 'hide* _ cutting', 'hide* self harm', 'without leaving marks', 'without it showing', 'take all _ pills', 'all your pills', 'hit an artery', 'cut deep*'];

export const SELF_HARM_V2: CategoryLexicon = {
  damp: ['idiom', 'sports', 'games', 'defense', 'accident'],
  cues: [
    ...w(0.25, 'R&', SELF_VERBS),
    ...w(0.8, '', ['self harm helps', 'myself throw up', 'myself vomit', 'myself puke']),
    ...w(0.8, '', ['cutting is', 'addicted to cutting', 'self harm scars', 'selfharm scars', 'make* myself throw up', 'making myself throw up', 'skipping meals', 'thinspo', 'pro ana', 'glorif* suicide', 'bang* my head', 'hits herself', 'hits himself', 'hurt* himself', 'hurt* herself', 'slit* her wrists', 'slit* his wrists', 'hang himself', 'hang herself']),
  ],
};

export const SELF_HARM_INTENT_V2: CategoryLexicon = {
  damp: ['support'],
  cues: [
    ...w(0.35, 'RW&', SELF_VERBS),
    ...w(0.35, 'WF', ['overdose', 'od', 'end it soon', 'not worth living']),
    ...w(0.55, 'WF', ['end* it all', 'suicide', 'jump* off _ bridge', 'jump* off _ roof', 'jump* off _ building', 'jump* off a bridge', 'jump in front of', 'overdose on my', 'od on my']),
    ...w(0.85, '', ['stop existing', 'to be alive anymore', 'be alive anymore', 'disappear forever', 'goodbye forever', 'considering suicide', 'thinking about suicide', 'thinking of suicide', 'ready to die', 'done living', 'tired of living', 'cant do this anymore', 'and never wake up', 'nobody would miss me', 'no one would miss me', 'taking my own life', 'want* to die', 'end* my life', 'ending it all', 'kill myself', 'killing myself', 'slit my wrists']),
  ],
};

export const SELF_HARM_INSTRUCTIONS_V2: CategoryLexicon = {
  damp: ['idiom', 'games', 'defense'],
  cues: [...w(0.3, 'RH&', SELF_VERBS), ...w(0.3, 'H', GOALS), ...w(0.2, 'HE&', ['jump*', 'pills', 'rope', 'bridge', 'hanging', 'insulin', 'tylenol', 'paracetamol', 'acetaminophen', 'ibuprofen', 'carbon monoxide', 'train', 'cut*', 'wrist*', 'artery', 'dose', 'how long', 'how many', 'how much']), ...w(0.45, 'E', ['lethal dose', 'lethal amount', 'fatal dose', 'lethal overdose', 'high enough to', 'tall enough to', 'enough pills']), ...w(0.8, '', ['how to kill yourself', 'how to kill myself', 'gas myself', 'tips for purging'])],
};

/** Sex-act and arousal vocabulary: with a request to write, describe or role-play (C) it is sexual content. */
const ACTS = ['lick* her', 'lick* him', 'lick* me', 'suck* his', 'suck* her', 'having sex', 'explicit story', 'love scene', 'what youd do to', 'what you would do to', 'sext with me', 'fucking in', 'fucked her', 'fucked him', 'fuck her', 'fuck him', 'horny', 'steamy', 'smut*', 'lusty', 'moan*', 'orgasm*', 'threesome*', 'erotica', 'erotic', 'make* love', 'making love', 'every touch', 'sexy', 'kinky', 'spank*', 'nipple*', 'grope*', 'sensual', 'aroused', 'fingering', 'naked body', 'nudes', 'strip for', 'undress*', 'ride him', 'inside her', 'inside him', 'inside me', 'her tits', 'tits', 'sex scene', 'lesbian scene', 'porn script', 'way past a massage', 'what youd do to me', 'what you would do to me', 'what youd do with me', 'do to me in bed'];

export const SEXUAL_V2: CategoryLexicon = {
  damp: ['safeguarding', 'support'],
  cues: [
    ...w(0.45, 'C', ACTS),
    ...w(0.5, 'C!', ['horny', 'threesome*', 'orgasm*', 'erotica', 'smut*', 'sexting', 'nudes']),
    ...w(0.85, '', ['go* down on', 'went down on', 'jerking _ off', 'jerk* me off', 'turn me on', 'turns me on', 'make me cum', 'his cock', 'her pussy', 'wet for you', 'dirty talk', 'talk dirty', 'sexting', 'sext me', 'camgirl*', 'cam girl*', 'dominatrix', 'my dick', 'my cock', 'your dick', 'your cock', 'had sex on', 'steamy story', 'smutty', 'hot lesbian', 'hire a prostitute', 'hire an escort', 'dirty story']),
  ],
};

export const SEXUAL_MINORS_V2: CategoryLexicon = {
  damp: ['safeguarding', 'support', 'medical'],
  cues: [
    ...w(0.3, 'K', ['molest*', 'groom*', 'want to touch her', 'want to touch him', 'touch* _ private*', 'sexually abus*', 'sexual abuse', 'in a sexual way', 'sexually', 'lewd', 'smut', 'erotic*', 'nude*', 'seduc*', 'flirt* with me', 'virginity', 'have sex', 'sex with', 'sex scene', 'sexy', 'arous*', 'nudes', 'talk dirty', 'for sex', 'make it hotter', 'porn', 'send me pictures', 'send me pics', 'things get sexual', 'to touch me', 'sex abuse']),
    ...w(0.1, 'KC', ['naked', 'undress*', 'posing', 'on my lap', 'touch her', 'touch him', 'flirt*', 'hotter', 'bathing suit', 'body']),
    ...w(0.9, '', ['child sex abuse', 'watching cp', 'trade cp', 'cp links', 'child porn*', 'kiddie porn*', 'sex with a kid', 'sex with a child']),
  ],
};
