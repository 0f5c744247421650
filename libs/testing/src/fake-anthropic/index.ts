export { startFakeAnthropic } from './fake-anthropic';
export {
  FAKE_ANTHROPIC_BEHAVIOURS,
  type AnthropicRecordedRequest,
  type FakeAnthropic,
  type FakeAnthropicBehaviour,
  type FakeAnthropicOptions,
} from './fake-anthropic.types';
export { anthropicBlocksText, anthropicPromptTokens, planAnthropicReply, type PlannedAnthropicReply } from './fake-anthropic-replies';
