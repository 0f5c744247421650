import type { CatalogConfig, ModelConfig } from '@gw/config';
import { GatewayError } from '../errors/gateway-error';
import type { ModelProvider } from '../providers/model-provider';

export interface ResolvedModel {
  model: ModelConfig;
  provider: ModelProvider;
}

/** Model names (ids and aliases) → catalogue entry + provider instance. Built once at boot. */
export class ModelCatalog {
  private readonly byName = new Map<string, ResolvedModel>();

  constructor(
    private readonly config: CatalogConfig,
    readonly providers: ReadonlyMap<string, ModelProvider>,
  ) {
    for (const model of config.models) {
      const provider = providers.get(model.provider);
      if (!provider) throw new Error(`catalog model "${model.id}" names unknown provider "${model.provider}"`);
      for (const name of [model.id, ...model.aliases]) this.byName.set(name, { model, provider });
    }
  }

  /** Resolves a caller's model name; unknown names are a 404 `model_not_found`. */
  resolve(name: string): ResolvedModel {
    const found = this.byName.get(name);
    if (!found) throw GatewayError.modelNotFound(name);
    return found;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  models(): readonly ModelConfig[] {
    return this.config.models;
  }

  async init(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.init()));
  }

  notReady(): string[] {
    return [...this.providers.values()].filter((p) => !p.isReady()).map((p) => p.id);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.providers.values()].map((p) => p.close()));
  }
}
