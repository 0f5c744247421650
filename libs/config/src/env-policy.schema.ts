/** Environment, part 5 of envSchema: policy classifiers, policy caches and history, quotas. */
import { z } from 'zod';

import { int, url } from './config-primitives';

export const policyEnv = {
  /** Classifier judging policy categories unless a policy names another: `builtin` (offline lexicon), `moderation`, `guard`. */
  POLICY_CLASSIFIER: z.enum(['builtin', 'moderation', 'guard']).default('builtin'),
  /** An OpenAI-compatible `/v1/moderations` service (the `moderation` classifier). */
  MODERATION_BASE_URL: url(['http:', 'https:']).optional(),
  MODERATION_API_KEY: z.string().optional(),
  MODERATION_MODEL: z.string().min(1).default('omni-moderation-latest'),
  /** A guard model (Llama-Guard style) behind an OpenAI-compatible `/v1/chat/completions` (the `guard` classifier). */
  GUARD_BASE_URL: url(['http:', 'https:']).optional(),
  GUARD_API_KEY: z.string().optional(),
  GUARD_MODEL: z.string().min(1).default('llama-guard-3-8b'),
  /** `full`: the gateway sends the whole Llama Guard prompt; `model-template`: the server (vLLM, Ollama) applies the model's own template. */
  GUARD_PROMPT: z.enum(['full', 'model-template']).default('full'),
  CLASSIFIER_TIMEOUT_MS: int(10, 120_000).default(5_000),
  /** Most output characters a policy's stream scanner holds back (the longest match it can see across deltas). */
  POLICY_STREAM_HOLD_CHARS: int(16, 65_536).default(256),
  /** Compiled inline policies kept (by content hash), so a client resending one policy compiles it once. */
  POLICY_INLINE_CACHE_SIZE: int(0, 100_000).default(256),
  /** Longest time the inference plane trusts its cached idea of a stored policy's latest version (a change evicts it at once through NOTIFY; nothing is trusted while that listener is down). */
  POLICY_CACHE_TTL_MS: int(0).default(60_000),
  /** Most entries one `GET /api/policy-gateway/history` page returns (and its default `limit`). History is audit data: never pruned by count. */
  POLICY_HISTORY_LIMIT: int(1, 1000).default(50),
  /** IANA time zone the quota windows follow (a `daily` window runs from local midnight to midnight; weeks start Monday). */
  QUOTA_TIMEZONE: z
    .string()
    .default('UTC')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as UTC or Europe/Berlin'),
  /** A quota hold of a call that never settles (its gateway died) gives its tokens back after this long (its request stays counted). */
  QUOTA_HOLD_TTL_MS: int(10_000, 24 * 3600 * 1000).default(15 * 60_000),
};
