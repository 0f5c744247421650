export { classifyText, lexiconClassifier, lexiconReady, warmLexicon } from './lexicon-classifier';
export { IMPLIED_PARENT, mergeSpans, withImpliedParents } from './hierarchy';
