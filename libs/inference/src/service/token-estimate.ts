import type { CanonicalRequest, ContentPart } from '../canonical/canonical-request';

/** Tokens billed per image when the provider cannot count them (OpenAI's low-detail price). */
const IMAGE_TOKENS = 85;

function partChars(p: ContentPart): number {
  switch (p.type) {
    case 'text':
      return p.text.length;
    case 'image':
      return IMAGE_TOKENS * 3;
    case 'tool_call':
      return p.name.length + p.arguments.length;
    case 'tool_result':
      return p.content.reduce((n, c) => n + partChars(c), 0);
    // Replayed reasoning is input too (Anthropic counts the last turn's); counting it keeps the estimate generous.
    case 'reasoning':
      return p.text.length;
    case 'redacted_reasoning':
      return p.data.length;
  }
}

/**
 * A deliberately generous input-token estimate for providers without a tokenizer: one token per 3
 * characters (English BPE averages ~4) plus per-message overhead. Admission reserves credits on it,
 * so overestimating is the safe direction; the charge uses the upstream's own count.
 */
export function estimateInputTokens(req: CanonicalRequest): number {
  let chars = 0;
  for (const m of req.messages) chars += 12 + m.content.reduce((n, p) => n + partChars(p), 0);
  for (const t of req.tools ?? []) chars += t.name.length + (t.description?.length ?? 0) + JSON.stringify(t.parameters).length;
  return Math.ceil(chars / 3) + 3;
}
