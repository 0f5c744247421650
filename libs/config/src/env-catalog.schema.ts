/** Environment, part 4 of envSchema: where the catalogue comes from, and the default catalogue (local GGUF model or an upstream). */
import { z } from 'zod';

import { int, url } from './config-primitives';

export const catalogEnv = {
  /** Full catalogue as JSON, or a path to a JSON file; overrides the defaults below. */
  CATALOG_JSON: z.string().optional(),
  CATALOG_FILE: z.string().optional(),
  /** Default catalogue: the local GGUF model served as `abliterated-model`. */
  LOCAL_MODEL_PATH: z.string().min(1).default('../shared/models/stories260K.gguf'),
  LOCAL_MODEL_THREADS: int(1, 64).default(1),
  LOCAL_MODEL_SEQUENCES: int(1, 64).default(2),
  LOCAL_MODEL_CONTEXT: int(64).default(2048),
  LOCAL_MODEL_MAX_QUEUE: int(0).default(64),
  /** Default catalogue alternative: when set, `abliterated-model` is served by this OpenAI-compatible upstream. */
  UPSTREAM_BASE_URL: url(['http:', 'https:']).optional(),
  UPSTREAM_API_KEY: z.string().optional(),
  UPSTREAM_MODEL: z.string().min(1).default('abliterated-model'),
  UPSTREAM_TIMEOUT_MS: int(1).default(600_000),
  DEFAULT_MODEL_ALIASES: z.string().default('abliteration-model'),
};
