import { Global, Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import type { ModelCatalog } from './catalog/model-catalog';
import { INFERENCE_OBSERVER, type InferenceObserver } from './service/inference-context';
import { InferenceService } from './service/inference.service';

export const MODEL_CATALOG = Symbol('MODEL_CATALOG');

export interface InferenceModuleOptions {
  /** Modules the observer depends on (e.g. the audit producer). */
  imports?: ModuleMetadata['imports'];
  /** Receives one summary per request. */
  observer?: Type<InferenceObserver>;
}

/** Provides {@link InferenceService} over a catalogue built (and initialised) by the process launcher. */
@Global()
@Module({})
export class InferenceModule {
  static forRoot(catalog: ModelCatalog, options: InferenceModuleOptions = {}): DynamicModule {
    const observer = options.observer ? [{ provide: INFERENCE_OBSERVER, useClass: options.observer }] : [];
    return {
      module: InferenceModule,
      imports: options.imports ?? [],
      providers: [
        { provide: MODEL_CATALOG, useValue: catalog },
        ...observer,
        {
          provide: InferenceService,
          useFactory: (obs?: InferenceObserver) => new InferenceService(catalog, obs),
          inject: [{ token: INFERENCE_OBSERVER, optional: true }],
        },
      ],
      exports: [MODEL_CATALOG, InferenceService],
    };
  }
}
