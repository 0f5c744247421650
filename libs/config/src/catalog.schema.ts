/** Catalogue schemas: the providers (upstream or local engines) and the models they serve. */
import { z } from 'zod';

import { int, url } from './config-primitives';

/** One upstream or local engine that can serve models. */
export const providerSchema = z.discriminatedUnion('kind', [
  z.object({
    id: z.string().min(1),
    kind: z.literal('openai-compatible'),
    base_url: url(['http:', 'https:']),
    api_key: z.string().optional(),
    timeout_ms: int(1).default(600_000),
    connect_timeout_ms: int(1).default(10_000),
    connections: int(1).default(256),
    supports_images: z.boolean().default(true),
    /**
     * Path (on the base URL's origin) of a vLLM/SGLang-style tokenize endpoint, `POST {model, messages,
     * tools}` → `{count}`, used by `/v1/messages/count_tokens`; unset = the gateway's estimator.
     */
    tokenize_path: z.string().startsWith('/').optional(),
  }),
  z.object({
    id: z.string().min(1),
    kind: z.literal('anthropic'),
    /** Like the Anthropic SDK base URL (`https://api.anthropic.com`); requests go to `/v1/messages` (a base ending in `/v1` is accepted). */
    base_url: url(['http:', 'https:']),
    api_key: z.string().optional(),
    anthropic_version: z.string().min(1).default('2023-06-01'),
    /** Sent on every request (e.g. `anthropic-beta`); cannot replace x-api-key, anthropic-version or content-type. */
    extra_headers: z.record(z.string(), z.string()).default({}),
    timeout_ms: int(1).default(600_000),
    connect_timeout_ms: int(1).default(10_000),
    connections: int(1).default(256),
    supports_images: z.boolean().default(true),
    /** `max_tokens` when a request names none (Anthropic requires it). */
    default_max_tokens: int(1).default(4096),
  }),
  z.object({
    id: z.string().min(1),
    kind: z.literal('local-gguf'),
    /** Filesystem path, or an `hf:` URI for machines with internet. */
    model_path: z.string().min(1),
    threads: int(1, 64).default(1),
    sequences: int(1, 64).default(2),
    context_size: int(64).default(2048),
    max_queue: int(0).default(64),
  }),
]);

export const modelSchema = z.object({
  id: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  provider: z.string().min(1),
  upstream_model: z.string().min(1),
  owned_by: z.string().default('gateway'),
  context_window: int(1).optional(),
  max_output_tokens: int(1).optional(),
});

export const catalogSchema = z.object({
  providers: z.array(providerSchema).min(1),
  models: z.array(modelSchema).min(1),
});

export type ProviderConfig = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type CatalogConfig = z.infer<typeof catalogSchema>;
