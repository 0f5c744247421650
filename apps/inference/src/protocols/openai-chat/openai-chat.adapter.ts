import type { CanonicalRequest, CompletionResult } from '@gw/inference';
import { newId } from '../shared/ids';
import type { ProtocolAdapter } from '../shared/protocol-handler';
import { toCanonical } from './openai-chat.request.mapper';
import { toChatCompletion } from './openai-chat.response.mapper';
import { validateChatCompletion } from './openai-chat.schema';
import { ChatStreamEncoder } from './openai-chat.stream';

interface ChatMeta {
  id: string;
  created: number;
  includeUsage: boolean;
}

/** Wires the OpenAI Chat Completions wire format into the shared protocol flow. */
export const openAIChatAdapter: ProtocolAdapter<ChatMeta> = {
  surface: 'chat.completions',
  parse(body: unknown) {
    const wire = validateChatCompletion(body);
    const canonical = toCanonical(wire);
    const meta = { id: newId('chatcmpl-'), created: Math.floor(Date.now() / 1000), includeUsage: wire.stream_options?.include_usage === true };
    return { canonical, meta };
  },
  respond(result: CompletionResult, canonical: CanonicalRequest, meta: ChatMeta) {
    return toChatCompletion(result, meta.id, canonical.model, meta.created);
  },
  encoder(canonical: CanonicalRequest, meta: ChatMeta) {
    return new ChatStreamEncoder({ id: meta.id, model: canonical.model, created: meta.created, includeUsage: meta.includeUsage });
  },
  heartbeat: { frame: ': keep-alive\n\n', everyMs: 15_000 },
};
