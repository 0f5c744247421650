import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { catalogSchema, envSchema, type CatalogConfig, type Env } from './config.schema';

/** Raised at boot when a variable is missing or malformed; the message names each variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface GatewayConfig {
  readonly env: Env;
  readonly catalog: CatalogConfig;
  /** Absolute data directory for embedded Postgres and other local state. */
  readonly dataDir: string;
  readonly embedded: boolean;
}

function issues(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path.length ? i.path.join('.') : '(root)';
    return `${prefix}${prefix ? '.' : ''}${path}: ${i.message}`;
  });
}

function defaultCatalog(env: Env): unknown {
  const aliases = env.DEFAULT_MODEL_ALIASES.split(',').map((a) => a.trim()).filter(Boolean);
  if (env.UPSTREAM_BASE_URL) {
    return {
      providers: [
        {
          id: 'upstream',
          kind: 'openai-compatible',
          base_url: env.UPSTREAM_BASE_URL,
          api_key: env.UPSTREAM_API_KEY,
          timeout_ms: env.UPSTREAM_TIMEOUT_MS,
        },
      ],
      models: [{ id: 'abliterated-model', aliases, provider: 'upstream', upstream_model: env.UPSTREAM_MODEL }],
    };
  }
  return {
    providers: [
      {
        id: 'local',
        kind: 'local-gguf',
        model_path: env.LOCAL_MODEL_PATH.startsWith('hf:') ? env.LOCAL_MODEL_PATH : resolve(env.LOCAL_MODEL_PATH),
        threads: env.LOCAL_MODEL_THREADS,
        sequences: env.LOCAL_MODEL_SEQUENCES,
        context_size: env.LOCAL_MODEL_CONTEXT,
        max_queue: env.LOCAL_MODEL_MAX_QUEUE,
      },
    ],
    models: [{ id: 'abliterated-model', aliases, provider: 'local', upstream_model: 'stories260K' }],
  };
}

function readCatalogSource(env: Env): { source: string; raw: unknown } {
  if (env.CATALOG_JSON) return { source: 'CATALOG_JSON', raw: JSON.parse(env.CATALOG_JSON) };
  if (env.CATALOG_FILE) return { source: 'CATALOG_FILE', raw: JSON.parse(readFileSync(env.CATALOG_FILE, 'utf8')) };
  return { source: 'default catalogue', raw: defaultCatalog(env) };
}

function checkCatalog(catalog: CatalogConfig): string[] {
  const problems: string[] = [];
  const providers = new Set(catalog.providers.map((p) => p.id));
  const names = new Set<string>();
  for (const m of catalog.models) {
    if (!providers.has(m.provider)) problems.push(`catalog model "${m.id}": unknown provider "${m.provider}"`);
    for (const name of [m.id, ...m.aliases]) {
      if (names.has(name)) problems.push(`catalog model "${m.id}": name "${name}" is used twice`);
      names.add(name);
    }
  }
  return problems;
}

/** Parses and validates the environment once. The only reader of `process.env` in the code base. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) throw new ConfigError(issues('', parsed.error));
  const env = parsed.data;
  if (env.CREDIT_LEASE_MIN_CALLS > env.CREDIT_LEASE_CALLS) {
    throw new ConfigError([`CREDIT_LEASE_MIN_CALLS: must be at most CREDIT_LEASE_CALLS (${env.CREDIT_LEASE_CALLS}), got ${env.CREDIT_LEASE_MIN_CALLS}`]);
  }
  let catalogRaw: { source: string; raw: unknown };
  try {
    catalogRaw = readCatalogSource(env);
  } catch (err) {
    const which = env.CATALOG_JSON ? 'CATALOG_JSON' : 'CATALOG_FILE';
    throw new ConfigError([`${which}: cannot be read as JSON (${(err as Error).message})`]);
  }
  const catalog = catalogSchema.safeParse(catalogRaw.raw);
  if (!catalog.success) throw new ConfigError(issues(catalogRaw.source, catalog.error));
  const problems = checkCatalog(catalog.data);
  if (problems.length) throw new ConfigError(problems);
  return {
    env,
    catalog: catalog.data,
    dataDir: resolve(env.DATA_DIR),
    embedded: !env.DATABASE_URL,
  };
}

/** The process's PATH, to tell whether a helper executable (`claude`) is installed; not a gateway setting. */
export function executableSearchPath(): string {
  return process.env.PATH ?? '';
}
