export { AnthropicProvider } from './anthropic.provider';
export type { AnthropicConfig } from './anthropic.config';
export { buildCountTokensBody, buildMessagesBody, type AnthropicBuildOptions } from './request-builder';
export { MID_CONVERSATION_SYSTEM_MARKER } from './message-mapper';
export { MessagesStreamDecoder } from './stream-parser';
export { parseAnthropicMessage } from './response-parser';
