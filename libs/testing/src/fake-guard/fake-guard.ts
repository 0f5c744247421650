import { errorBody, markers, startFakeClassifierServer, type FakeClassifierOptions, type FakeClassifierServer } from '../fake-moderation/fake-classifier-http';

export type FakeGuard = FakeClassifierServer;

/**
 * A fake guard model (Llama Guard 3 style) behind `POST /v1/chat/completions` on 127.0.0.1, answering a real
 * non-streaming `chat.completion` body whose content is `safe` or `unsafe\nS1,S10`. The verdict comes from
 * `flag:S<n>` markers in the judged text: the part of the last user message between `<BEGIN CONVERSATION>` and
 * `<END CONVERSATION>` when the guard prompt is there (so the template's own `S1: Violent Crimes.` lines never
 * count), else the whole message.
 */
export async function startFakeGuard(options: FakeClassifierOptions = {}): Promise<FakeGuard> {
  let no = 0;
  return startFakeClassifierServer(
    options,
    '/v1/chat/completions',
    (body) => {
      const b = body as { model?: unknown; messages?: unknown };
      if (!Array.isArray(b.messages)) return [400, errorBody("'messages' is required (fake).", 'invalid_request_error')];
      no++;
      const text = judgedText(b.messages);
      return [200, completion(no, typeof b.model === 'string' ? b.model : 'llama-guard-3-8b', guardVerdict(text), text.length)];
    },
    (body) => {
      const model = (body as { model?: unknown } | undefined)?.model;
      return completion(0, typeof model === 'string' ? model : 'llama-guard-3-8b', "I'm sorry, I can't help with that.", 0);
    },
  );
}

/** `safe`, or `unsafe` and the marked codes (`flag:S1 … flag:S10` → `unsafe\nS1,S10`). */
export function guardVerdict(text: string): string {
  const codes = [...new Set(markers(text).map((m) => m.name.toUpperCase()).filter((n) => /^S\d{1,2}$/.test(n)))];
  return codes.length === 0 ? 'safe' : `unsafe\n${codes.join(',')}`;
}

function judgedText(messages: unknown[]): string {
  const users = messages.filter((m): m is { role: string; content: unknown } => !!m && typeof m === 'object' && (m as { role?: unknown }).role === 'user');
  const content = users[users.length - 1]?.content;
  const text =
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content.map((p: unknown) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('')
        : '';
  const begin = text.indexOf('<BEGIN CONVERSATION>');
  const end = text.indexOf('<END CONVERSATION>');
  return begin >= 0 && end > begin ? text.slice(begin + '<BEGIN CONVERSATION>'.length, end) : text;
}

function completion(no: number, model: string, content: string, promptChars: number): unknown {
  const promptTokens = Math.max(1, Math.ceil(promptChars / 4));
  const completionTokens = content.split(/\s+/).length + 1;
  return {
    id: `chatcmpl-guard-${no}`,
    object: 'chat.completion',
    created: 1_700_000_000 + no,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    system_fingerprint: null,
  };
}
