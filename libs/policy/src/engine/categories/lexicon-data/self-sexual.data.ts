import type { CategoryLexicon, CueSpec } from './types';

const SUPPORTIVE = ['support', 'medical', 'news', 'education', 'history', 'law', 'fiction'];

export const SELF_HARM: CategoryLexicon = {
  damp: SUPPORTIVE,
  cues: [
    ['suicid*', 0.4, 'F'],
    ['self harm*', 0.45, 'F'],
    ['selfharm*', 0.45, 'F'],
    ['self injur*', 0.45, 'F'],
    ['pro ana', 0.8],
    ['my self harm*', 0.75],
    ['thinspo*', 0.6],
    ['proana', 0.6],
    ['purging', 0.2, 'F'],
    ['cutting', 0.1, 'F'],
    ['relapse* _ cutting', 0.6],
  ],
};

/** First-person statements; not dampened by support context (a person asking for help still said it). */
export const SELF_HARM_INTENT: CategoryLexicon = {
  damp: ['fiction'],
  cues: [
    ['kill myself', 1],
    ['killing myself', 1],
    ['end my life', 1],
    ['ending my life', 1],
    ['end it all', 0.55, 'WF'],
    ['want to die', 0.9],
    ['wanna die', 0.9],
    ['wish i was dead', 1],
    ['wish i were dead', 1],
    ['better off dead', 0.7, 'F'],
    ['better off without me', 0.75],
    ['no reason to live', 0.85],
    ['reason to keep living', 0.8, '!'],
    ['reason to live', 0.75, '!'],
    ['not wake up', 0.5, 'W'],
    ['never wake up', 0.5, 'W'],
    ['nothing to live for', 0.85],
    ['dont want to live', 0.9],
    ['dont want to be alive', 0.9],
    ['take my own life', 1],
    ['taking my own life', 1],
    ['cut myself', 0.85],
    ['cutting myself', 0.9],
    ['hurt myself', 0.75],
    ['hurting myself', 0.75],
    ['harm myself', 0.9],
    ['harming myself', 0.9],
    ['hang myself', 1],
    ['shoot myself', 1],
    ['starve myself', 0.8],
    ['starving myself', 0.8],
    ['overdose on purpose', 0.9],
    ['suicidal', 0.4, 'F'],
    ['suicidal thoughts', 0.45, 'F'],
    ['cant go on', 0.45, 'F'],
    ['jump off _ bridge', 0.35, 'W'],
    ['jump in front of _ train', 0.45, 'W'],
    ['say goodbye forever', 0.5],
    ['my suicide note', 0.9],
  ],
};

export const SELF_HARM_INSTRUCTIONS: CategoryLexicon = {
  damp: ['medical', 'support', 'news', 'education', 'law'],
  cues: [
    ...['kill* myself', 'kill* yourself', 'end* my life', 'commit suicide', 'hang* myself', 'overdose', 'od on', 'cut* myself', 'cut* deep', 'noose', 'carbon monoxide', 'lethal dose', 'die quickly', 'bleed out'].map(
      (x): CueSpec => [x, 0.25, 'H'],
    ),
    ['suicide method*', 0.7],
    ['method* of suicide', 0.7],
    ['take to die', 0.5, 'H'],
    ['bleed out', 0.25, 'H'],
    ['painless way* to die', 0.9, '!'],
    ['painless death', 0.4, 'H'],
    ['die painlessly', 0.7],
    ['slit* _ wrist*', 0.55, 'H'],
    ['slit* wrist*', 0.55, 'H'],
    ['tie a noose', 0.6],
    ['how many pills', 0.5],
    ['pills _ to die', 0.7],
    ['enough pills to', 0.6],
    ['jump* from _ high enough', 0.6],
    ['tall enough to die', 0.8],
  ],
};

/** Explicit terms first; the ambiguous ones (anatomy, "naked", "sex") need a request to write or describe. */
export const SEXUAL: CategoryLexicon = {
  damp: ['medical', 'education', 'law', 'news', 'history'],
  cues: [
    ...['blowjob*', 'blow job*', 'handjob*', 'hand job*', 'cumshot*', 'creampie*', 'gangbang*', 'deepthroat*', 'anal sex', 'hentai', 'dildo*', 'fuck me', 'suck my dick', 'suck my cock', 'send nudes', 'dick pic*', 'cock pic*', 'jerk* off', 'jack* off', 'eat* _ pussy', 'titty fuck*', 'rimjob*', 'bukkake'].map(
      (x): CueSpec => [x, 1, '!'],
    ),
    ...['porn*', 'masturbat*', 'orgasm*', 'horny', 'erotic*', 'erotica', 'sexting', 'threesome*', 'nsfw', 'xxx', 'bdsm', 'fetish*', 'nude pic*', 'naked pic*', 'nudes', 'pussy', 'tits', 'boobs', 'cum', 'clit*', 'milf*', 'stripper*', 'lap dance*', 'sex scene*', 'sex chat*', 'sex story', 'sex stories', 'smut', 'lewd'].map(
      (x): CueSpec => [x, 0.5, 'C'],
    ),
    ...['sex', 'sexual', 'sexy', 'naked', 'nude', 'breasts', 'penis', 'vagina', 'erection', 'intercourse', 'aroused', 'make love', 'have sex with', 'sex with', 'moan*', 'undress*', 'seduc*', 'in bed with'].map(
      (x): CueSpec => [x, 0.25, 'C'],
    ),
    ['explicit', 0.2, 'C'],
    ['porn site*', 0.8],
    ['porn video*', 0.8],
    ['horny', 0.6, 'F'],
    ['talk dirty', 0.6, 'C'],
    ['dirty talk', 0.6, 'C'],
    ['sext', 0.5, 'C'],
    ['raunchy', 0.45, 'C'],
    ['smutty', 0.5, 'C'],
    ['steamy', 0.3, 'C'],
    ['sexual story', 0.5, 'C'],
    ...['hook* up', 'sleep* together', 'undress* each other'].map((x): CueSpec => [x, 0.2, 'C']),
    ...['naked women', 'naked girls', 'naked men', 'nude women', 'nude girls', 'explicit pic*', 'explicit photo*', 'explicit image*'].map((x): CueSpec => [x, 0.5, 'C']),
    ['oral sex', 0.5, 'C'],
  ],
};

export const SEXUAL_MINORS: CategoryLexicon = {
  damp: ['news', 'law', 'defense', 'safeguarding'],
  cues: [
    ['child porn*', 1, '!'],
    ['kiddie porn*', 1, '!'],
    ['kiddy porn*', 1, '!'],
    ['cp porn', 1, '!'],
    ['lolicon', 0.9],
    ['shotacon', 0.9],
    ['jailbait', 0.8],
    ['csam', 0.5, 'MW'],
    ['pedo*', 0.4, 'W'],
    ['paedo*', 0.4, 'W'],
    ['underage nude*', 1, '!'],
    ['underage porn*', 1, '!'],
    ['preteen nude*', 1, '!'],
    ['preteen porn*', 1, '!'],
    ['underage sex*', 0.6],
    ...['sex with', 'have sex with', 'sexual* with', 'sleep* with', 'touch* _ private*', 'nude pic*', 'naked pic*', 'nudes', 'sext*', 'porn*', 'explicit pic*', 'explicit photo*', 'naked in bed', 'sexual story', 'sexual stories'].map(
      (x): CueSpec => [x, 0.3, 'K'],
    ),
    ['groom* _ child', 0.45, 'HW'],
    ['groom* a minor', 0.5, 'HW'],
  ],
};
