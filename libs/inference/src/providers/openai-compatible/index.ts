export { OpenAICompatibleProvider, type OpenAICompatibleConfig, type ProviderLogger } from './openai-compatible.provider';
export { buildChatBody, type BuildOptions } from './request-builder';
export { ChatStreamDecoder } from './stream-parser';
