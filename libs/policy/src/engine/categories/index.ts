export { classifyText, lexiconClassifier } from './lexicon-classifier';
export { IMPLIED_PARENT, mergeSpans, withImpliedParents } from './hierarchy';
