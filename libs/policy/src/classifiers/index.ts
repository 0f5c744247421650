export { createClassifier, type ClassifierSpec, type ClosableClassifier } from './classifier-factory';
export { OpenAIModerationClassifier, OPENAI_MODERATION_MAP, type OpenAIModerationOptions } from './openai-moderation.classifier';
export { GuardModelClassifier, type GuardModelOptions } from './guard-model.classifier';
export { GUARD_HAZARDS, guardPrompt, parseGuardAnswer } from './guard-prompt';
