export { startFakeUpstream } from './fake-upstream/fake-upstream';
export {
  FAKE_BEHAVIOURS,
  type FakeBehaviour,
  type FakeUpstream,
  type FakeUpstreamOptions,
  type RecordedRequest,
} from './fake-upstream/fake-upstream.types';
export { contentText, fragments, planReply, type PlannedReply } from './fake-upstream/fake-replies';
export * from './fake-anthropic';
export * from './fake-moderation';
export * from './fake-guard';
export * from './fake-otlp/fake-otlp';
