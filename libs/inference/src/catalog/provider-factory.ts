import type { CatalogConfig, ProviderConfig } from '@gw/config';
import { AnthropicProvider } from '../providers/anthropic/anthropic.provider';
import type { ModelProvider } from '../providers/model-provider';
import { LocalGgufProvider } from '../providers/local-gguf/local-gguf.provider';
import { OpenAICompatibleProvider } from '../providers/openai-compatible/openai-compatible.provider';
import { ModelCatalog } from './model-catalog';

export type ProviderLog = (level: 'info' | 'warn' | 'error', msg: string) => void;

export function createProvider(config: ProviderConfig, log?: ProviderLog): ModelProvider {
  switch (config.kind) {
    case 'openai-compatible':
      return new OpenAICompatibleProvider(config, log);
    case 'local-gguf':
      return new LocalGgufProvider(config, log);
    case 'anthropic':
      return new AnthropicProvider(config, log);
    default: {
      const never: never = config;
      throw new Error(`unknown provider kind ${(never as ProviderConfig).kind}`);
    }
  }
}

/** Builds every configured provider and the name index; call `init()` before serving. */
export function createCatalog(config: CatalogConfig, log?: ProviderLog): ModelCatalog {
  const providers = new Map(config.providers.map((p) => [p.id, createProvider(p, log)] as const));
  return new ModelCatalog(config, providers);
}
