/**
 * Bounds shared by the three request schemas. Where the vendor documents a limit the schema uses it (OpenAI:
 * 128 tools, 4 stop strings, 16 metadata pairs of 64/512 characters, 64-character function names; Anthropic:
 * 100,000 messages, 128-character tool names, 256-character `user_id`); elsewhere a generous bound of our own
 * so that no array or identifier is unbounded (content text is bounded only by BODY_LIMIT_BYTES).
 * Integers stay below 2^31: an upstream (or Postgres `integer`) never meets a value it cannot hold, and no
 * sum of them (input + output cap) leaves the safe-integer range.
 */
export const INT32_MAX = 2 ** 31 - 1;
export const INT32_MIN = -(2 ** 31);

export const LIMITS = {
  modelChars: 256,
  /** Anthropic's documented cap, applied to all three surfaces. */
  messages: 100_000,
  /** Content parts in one message or one tool result. */
  parts: 10_000,
  /** Tool-call ids (`call_…`, `toolu_…`) and other opaque ids a client echoes back. */
  idChars: 1_024,
  /** Short free-form identifiers: participant `name`, `user`, enum-like strings the gateway passes on. */
  tagChars: 256,
  openAiTools: 128,
  /** Responses and Messages: hosted/server and namespace tools count too; vendors document no cap. */
  tools: 512,
  openAiStop: 4,
  anthropicStop: 256,
  stopChars: 1_024,
  metadataKeys: 16,
  metadataKeyChars: 64,
  metadataValueChars: 512,
  /** OpenAI `safety_identifier`. */
  safetyIdChars: 64,
  logitBiasKeys: 1_024,
} as const;

/** OpenAI function (and json_schema) names. */
export const OPENAI_NAME = '^[a-zA-Z0-9_-]{1,64}$';
/** Anthropic custom tool names. */
export const ANTHROPIC_TOOL_NAME = '^[a-zA-Z0-9_-]{1,128}$';

/** Schema fragments; `nullable` adds `null` to the accepted types (OpenAI and Anthropic both accept explicit nulls). */
export const int = (minimum: number, maximum = INT32_MAX, nullable = true) => ({ type: nullable ? ['integer', 'null'] : 'integer', minimum, maximum });
export const num = (minimum: number, maximum: number) => ({ type: ['number', 'null'], minimum, maximum });
export const str = (maxLength: number, minLength = 0) => ({ type: 'string', minLength, maxLength });
export const optStr = (maxLength: number) => ({ type: ['string', 'null'], maxLength });
/** Free text (content, descriptions, arguments): bounded by the body limit only. */
export const text = { type: 'string' };
export const model = str(LIMITS.modelChars, 1);

/** OpenAI `metadata`: at most 16 string pairs, keys ≤ 64 and values ≤ 512 characters. */
export const metadata = {
  type: ['object', 'null'],
  maxProperties: LIMITS.metadataKeys,
  propertyNames: { maxLength: LIMITS.metadataKeyChars },
  additionalProperties: str(LIMITS.metadataValueChars),
};

/**
 * Applies `then` to objects whose `type` is `type`. With `allErrors: false` ajv reports the inner error
 * first, so the 400 names the exact field (`input[2].call_id`), not the item as a whole.
 */
export const when = (type: string, then: Record<string, unknown>) => ({ if: { required: ['type'], properties: { type: { const: type } } }, then });
