import type { CategoryLexicon, CueSpec } from './types';

/**
 * v2 cue families for illicit requests: a wrongful act or an artefact only counts inside a request frame (H:
 * how-to, M/C: make/write) or a stealth clause (S: "without getting caught", "untraceable"), or next to a
 * purchase (B: "where can I buy"). Appended to illicit.data.ts.
 */
const w = (weight: number, boosts: string, items: readonly string[]): CueSpec[] => items.map((x): CueSpec => [x, weight, boosts]);

const DRUGS = ['cocaine', 'heroin', 'meth', 'mdma', 'molly', 'ecstasy', 'lsd', 'shrooms', 'ketamine', 'fentanyl', 'oxy', 'oxycodone', 'oxycontin', 'xanax', 'adderall', 'percocet', 'dmt', 'ghb'];

export const ILLICIT_V2: CategoryLexicon = {
  damp: ['games', 'tech', 'sports', 'idiom'],
  cues: [
    ...w(0.3, 'HSW', ['steal*', 'stolen', 'shoplift*', 'launder*', 'counterfeit*', 'fraud*', 'scam*', 'embezzl*', 'bribe*', 'smuggl*', 'pirat*', 'torrent*', 'hack* into', 'hack* _ account*', 'hack* _ _ account*', 'hack* someone*', 'lockpick*', 'pick* _ lock', 'hotwir*', 'evade*', 'evasion', 'cheat* on', 'cheat* the', 'bypass* the breathalyzer', 'breathalyzer', 'offshore account*', 'fake id*', 'fake insurance', 'fake _ claim', 'fake claim*', 'fake doctor*', 'fake note*', 'fake receipt*', 'forg* _ signature*', 'forg* _ note', 'forg* _ check*', 'forg* documents', 'skim* card*', 'card skimmer*', 'skim* _ card reader*', 'ponzi', 'break* into a house', 'break* into _ house', 'break* into _ apartment', 'sneak* _ past', 'sell* weed', 'sell* drugs', 'without paying', 'phishing email*', 'phishing text*', 'scam* old people', 'without a prescription']),
    ...w(0.3, 'B', DRUGS),
    ...w(0.8, '', ['stolen credit card*', 'stolen card*', 'launder money', 'counterfeit _ bills', 'cheat* on my taxes', 'cheating on my taxes', 'hack* into my ex*', 'without the irs']),
  ],
};

export const ILLICIT_VIOLENT_V2: CategoryLexicon = {
  damp: ['games'],
  cues: [
    ...w(0.3, 'HSB', ['buy* _ gun', 'buy* a gun', 'buy* an untraceable', 'get a gun', 'untraceable handgun*', 'untraceable gun*', 'hitman', 'hit man', 'hire* _ hitman', 'rob a', 'rob the', 'rob* _ bank', 'rob* _ store', 'robbing', 'robbery', 'mug someone', 'mug* _ in', 'dispose of a _ body', 'rid of _ _ body', 'assault someone', 'attack someone', 'traffic* children', 'traffic* kids', 'traffic* people', 'traffic* humans', 'carjack*', 'rid of _ body', 'rid of a body', 'hostage*', 'home invasion*', 'traffic* women', 'traffic* _ children', 'traffic* girls', 'extort*', 'smuggl* guns', 'smuggl* weapons', 'legs broken', 'drug* _ drink', 'spike* _ drink', 'murder look like', 'look like a suicide', 'kidnap*', 'abduct*', 'ambush*', 'poison someone', 'poison* _ slowly', 'stabbing someone', 'strangle someone', 'shoot someone', 'hurt someone', 'kill someone', 'knife for stabbing', 'arson', 'start a fire at']),
    ...w(0.85, '', ['hire a hitman', 'armed robbery', 'get rid of a body', 'get rid of the body', 'without a background check', 'untraceable handgun', 'untraceable gun', 'make a murder look']),
  ],
};

export const WEAPONS_CREATION_V2: CategoryLexicon = {
  damp: [],
  cues: [
    ...w(0.3, 'Mh', ['gun', 'guns', 'firearm*', 'zip gun*', 'ghost gun*', 'silencer*', 'suppressor*', 'full auto', 'auto sear*', 'bump stock*', 'ricin', 'sarin', 'nerve gas', 'nerve agent*', 'mustard gas', 'chlorine gas', 'anthrax', 'bioweapon*', 'flamethrower*', 'crossbow*', 'taser*', 'shiv', 'poison dart*', 'brass knuckle*', 'gun barrel*', 'improvised firearm*', 'shotgun*', 'dirty bomb*', 'uranium', 'botulinum', 'pathogen*', 'weaponiz*', 'poison gas', 'chemical weapon*', 'biological weapon*', 'grenades on']),
    ...w(0.3, 'MU&', ['knife', 'knives', 'weapon*', 'blade*', 'spear*', 'club']),
    ...w(0.8, '', ['drop grenades', 'to full auto', 'make ricin', 'making ricin', 'make sarin', 'weaponize anthrax', 'to use on people']),
  ],
};

export const EXPLOSIVES_CREATION_V2: CategoryLexicon = {
  damp: [],
  cues: [
    ...w(0.3, 'Mh', ['bomb*', 'explosive*', 'explode', 'landmine*', 'land mine*', 'grenade*', 'detonator*', 'c4', 'tnt', 'nitroglycerin', 'dynamite', 'napalm', 'thermite', 'molotov*', 'anfo', 'ied', 'suicide vest*', 'flash powder', 'black powder', 'blasting cap*']),
    ...w(0.8, '!', ['fertilizer bomb*', 'letter bomb*', 'make c4', 'making c4', 'bomb out of', 'explosive out of']),
  ],
};

export const DRUGS_SYNTHESIS_V2: CategoryLexicon = {
  damp: [],
  cues: [
    ...w(0.3, 'Mh', ['xanax', 'opium', 'coca leaves', 'mephedrone', 'ergot', 'mimosa', 'safrole', 'p2p', 'ecstasy', 'ghb', 'ketamine', 'pcp', 'lsd', 'dmt', 'meth', 'cocaine', 'heroin', 'fentanyl', 'carfentanil', 'methamphetamine', 'amphetamine*', 'mdma', 'codeine', 'psilocybin', 'hash oil', 'crystal meth', 'blue meth', 'morphine']),
    ...w(0.8, '', ['cook meth', 'cook* heroin', 'cook* crack', 'make meth', 'make crack', 'make ketamine', 'make pcp', 'synthesi* lsd', 'synthesi* mdma', 'synthesi* mephedrone', 'pill press', 'press* _ ecstasy pills', 'fake xanax', 'into meth', 'into heroin', 'into cocaine', 'into crystal']),
  ],
};

export const MALWARE_CREATION_V2: CategoryLexicon = {
  damp: [],
  cues: [
    ...w(0.35, 'M', ['stealer*', 'exfiltrat*', 'skimmer*', 'crypto miner*', 'cryptominer*', 'cryptojack*', 'macro virus*', 'wiper*', 'wipe* the mbr', 'self propagat*', 'polymorphic', 'ransom note*', 'system32', 'computer worm*', 'computer virus*', 'disables windows defender', 'zero click', 'backdoor*', 'rat to spy', 'ddos tool*', 'clone* _ login page', 'keylogger*', 'ransomware*', 'trojan*', 'spyware', 'rootkit*', 'botnet*', 'worm that', 'virus that', 'malware', 'phishing kit*', 'reverse shell']),
    ...w(0.8, '', ['undetectable to antivirus', 'hides from antivirus', 'hide from antivirus', 'persists after reboot', 'spreads to other machines', 'spreads via usb', 'infect targets', 'steal saved', 'captures credentials']),
  ],
};
