export { OPENAI_MODERATION_CATEGORIES, moderate, startFakeModeration, type FakeModeration } from './fake-moderation';
export { markers, type FakeClassifierMode, type FakeClassifierOptions, type FakeClassifierRequest, type FakeClassifierServer } from './fake-classifier-http';
