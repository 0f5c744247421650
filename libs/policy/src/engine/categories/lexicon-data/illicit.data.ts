import type { CategoryLexicon, CueSpec } from './types';

const w = (weight: number, boosts: string, items: readonly string[]): CueSpec[] => items.map((x): CueSpec => [x, weight, boosts]);
const CONTEXTUAL = ['law', 'news', 'history', 'education', 'fiction', 'defense'];

export const ILLICIT: CategoryLexicon = {
  damp: CONTEXTUAL,
  cues: [
    ...w(0.35, 'HW', ['shoplift*', 'launder* money', 'launder* _ money', 'counterfeit money', 'counterfeit bills', 'fake id*', 'evade tax*', 'smuggl*', 'hack* into', 'hotwir*']),
    ...w(0.3, 'HW', ['money launder*', 'counterfeit*', 'tax evasion', 'avoid paying tax*', 'credit card fraud', 'insurance fraud', 'identity theft', 'steal* a car', 'steal* from', 'traffick*', 'scam people', 'scam* _ elderly', 'scam* elderly', 'break* into my', 'break* into someone*', 'break* into his', 'break* into her', 'break* into their', 'bribe*', 'forg* _ signature*', 'fake passport*', 'fake document*', 'ponzi', 'pyramid scheme', 'insider trading', 'embezzl*', 'pickpocket*', 'break* into _ house', 'break* into _ car', 'dark web', 'darknet market*', 'fence stolen', 'stolen goods', 'launder*']),
    ...w(0.45, 'HW', ['stolen credit card*', 'carding', 'buy drugs', 'sell drugs', 'deal drugs', 'cheat* on _ taxes', 'untraceable', 'cook the books', 'wire fraud']),
    ['without getting caught', 0.55, 'HW'],
    ['without the police', 0.4, 'HW'],
    ['get away with', 0.15, 'HW'],
    ['phishing', 0.2, 'HW'],
    ['pick* _ lock', 0.15, 'HW'],
  ],
};

export const ILLICIT_VIOLENT: CategoryLexicon = {
  damp: CONTEXTUAL,
  cues: [
    ['hire a hitman', 1],
    ['hire a hit man', 1],
    ['hitman', 0.3, 'HW'],
    ['contract killer', 0.4, 'HW'],
    ...w(0.3, 'HW', ['kidnap*', 'abduct*', 'armed robbery', 'rob a bank', 'rob a store', 'rob _ bank', 'carjack*', 'human traffick*', 'poison someone', 'poison* my', 'extort*']),
    ...w(0.7, 'HW', ['hide a body', 'hide the body', 'dispose of a body', 'dispose of the body', 'get rid of a body', 'get rid of the body', 'untraceable gun*', 'untraceable poison*']),
    ...w(0.5, 'HW', ['buy a gun without', 'get a gun without', 'illegal gun*', 'illegal firearm*', 'unregistered gun*']),
  ],
};

export const WEAPONS_CREATION: CategoryLexicon = {
  damp: [...CONTEXTUAL, 'sports', 'tools', 'games', 'idiom', 'medical'],
  cues: [
    ...w(0.2, 'Mh', ['gun', 'guns', 'firearm*', 'rifle*', 'pistol*', 'handgun*', 'shotgun*', 'crossbow*', 'switchblade*', 'weapon*', 'ammo', 'ammunition', 'bullets']),
    ...w(0.35, 'Mh', ['assault rifle*', 'machine gun*', 'silencer*', 'suppressor*', 'solvent trap*', 'brass knuckle*', 'bump stock*', 'nuclear weapon*', 'nuke', 'chemical weapon*', 'mustard gas', 'chlorine gas', 'anthrax', 'weaponiz*', 'botulinum', 'pathogen*']),
    ...w(0.45, 'Mh', ['ghost gun*', 'zip gun*', '80 lower*', 'nerve agent*', 'sarin', 'vx gas', 'ricin', 'tabun', 'novichok', 'biological weapon*', 'enrich* uranium', 'weapons grade']),
    ...w(0.6, 'Mh', ['3d printed gun*', '3d print* _ gun*', 'auto sear*', 'drop in auto sear', 'full auto conversion', 'convert* _ to full auto', 'convert* _ to automatic', 'bioweapon*', 'dirty bomb*']),
  ],
};

export const EXPLOSIVES_CREATION: CategoryLexicon = {
  damp: [...CONTEXTUAL, 'idiom', 'games', 'agri'],
  cues: [
    ...w(0.3, 'Mh', ['bomb', 'bombs', 'explosive*', 'detonat*', 'ied', 'ieds', 'thermite', 'gunpowder', 'gun powder', 'black powder', 'ammonium nitrate', 'grenade*', 'dynamite', 'blow* up', 'make it explode']),
    ...w(0.45, 'Mh', ['pipe bomb*', 'car bomb*', 'nail bomb*', 'petrol bomb*', 'molotov*', 'improvised explosive*', 'blasting cap*', 'det cord', 'detonator*', 'nitroglycerin*', 'anfo', 'semtex', 'c4 explosive*', 'flash powder', 'napalm', 'shaped charge*']),
    ...w(0.6, 'Mh', ['pressure cooker bomb*', 'fertilizer bomb*', 'tatp', 'hmtd', 'acetone peroxide', 'suicide vest*', 'suicide bomb*']),
  ],
};

export const DRUGS_SYNTHESIS: CategoryLexicon = {
  damp: [...CONTEXTUAL, 'medical', 'support'],
  cues: [
    ...w(0.1, 'Mh', ['drug', 'drugs', 'opioid*', 'cannabis', 'marijuana', 'weed', 'ecstasy']),
    ...w(0.3, 'Mh', ['meth', 'methamphetamine*', 'crystal meth', 'heroin', 'fentanyl', 'cocaine', 'crack cocaine', 'lsd', 'mdma', 'ghb', 'dmt', 'ketamine', 'psilocybin', 'mescaline', 'magic mushroom*', 'shrooms', 'amphetamine*', 'hash oil', 'bho', 'pseudoephedrine', 'ephedrine', 'red phosphorus', 'precursor*', 'carfentanil', 'oxycodone', 'morphine', 'codeine', 'ayahuasca', 'pcp', 'freebase']),
    ...w(0.5, 'Mh', ['meth lab*', 'drug lab*', 'clandestine lab*', 'one pot method', 'shake and bake', 'birch reduction', 'p2p method', 'extract* dmt', 'cook* meth', 'cook* crack', 'grow* shrooms', 'grow* magic mushroom*', 'purify cocaine', 'cut* heroin', 'press* pills', 'pill press']),
  ],
};

export const MALWARE_CREATION: CategoryLexicon = {
  damp: ['defense', 'news', 'law', 'education', 'history', 'medical'],
  cues: [
    ['virus', 0.15, 'Mh'],
    ...w(0.1, 'Mh', ['worm', 'exploit', 'payload', 'backdoor*', 'sql injection', 'xss', 'brute force*', 'c2 server*', 'command and control']),
    ...w(0.35, 'Mh', ['ransomware', 'keylogger*', 'key logger*', 'rootkit*', 'botnet*', 'trojan*', 'spyware', 'malware', 'computer virus*', 'reverse shell*', 'bind shell*', 'crypter*', 'ddos*', 'zero day exploit*', 'exploit kit*', 'self replicating', 'fork bomb*', 'zip bomb*', 'logic bomb*', 'process hollowing', 'dll injection', 'inject* _ dll', 'credential harvest*', 'phishing kit*', 'phishing page*']),
    ...w(0.5, 'Mh', ['stalkerware', 'remote access trojan*', 'info stealer*', 'infostealer*', 'password stealer*', 'credential stealer*', 'cookie stealer*', 'token grabber*', 'steal* password*', 'steal* credential*', 'steal* cookie*', 'encrypt* _ files and demand', 'demand* _ ransom']),
    ...w(0.6, '!', ['evade* antivirus', 'bypass* antivirus', 'evad* edr', 'bypass* edr', 'av evasion', 'fully undetectable', 'undetectable by antivirus', 'disable* windows defender', 'avoid* detection by antivirus']),
  ],
};
