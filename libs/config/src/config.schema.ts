/**
 * The gateway's configuration schemas. envSchema is composed from per-domain shapes (env-*.schema.ts), spread in
 * this order so its keys keep their order; the catalogue schemas live in catalog.schema.ts.
 */
import { z } from 'zod';

import { auditEnv } from './env-audit.schema';
import { catalogEnv } from './env-catalog.schema';
import { creditsEnv } from './env-credits.schema';
import { policyEnv } from './env-policy.schema';
import { runtimeEnv } from './env-runtime.schema';

export { catalogSchema, modelSchema, providerSchema } from './catalog.schema';
export type { CatalogConfig, ModelConfig, ProviderConfig } from './catalog.schema';

export const envSchema = z.object({
  ...runtimeEnv,
  ...creditsEnv,
  ...auditEnv,
  ...catalogEnv,
  ...policyEnv,
});

export type Env = z.infer<typeof envSchema>;
