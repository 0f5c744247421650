import { Global, Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import type { ModelCatalog } from './catalog/model-catalog';
import { INFERENCE_OBSERVER, type InferenceObserver } from './service/inference-context';
import { METER, type Meter } from './service/meter.port';
import { InferenceService } from './service/inference.service';

export const MODEL_CATALOG = Symbol('MODEL_CATALOG');

export interface InferenceModuleOptions {
  /** Modules the observer depends on (e.g. the audit producer). */
  imports?: ModuleMetadata['imports'];
  /** Receives one summary per request. */
  observer?: Type<InferenceObserver>;
  /** Reserves and settles credits around each call. */
  meter?: Type<Meter>;
}

/** Provides {@link InferenceService} over a catalogue built (and initialised) by the process launcher. */
@Global()
@Module({})
export class InferenceModule {
  static forRoot(catalog: ModelCatalog, options: InferenceModuleOptions = {}): DynamicModule {
    const observer = options.observer ? [{ provide: INFERENCE_OBSERVER, useClass: options.observer }] : [];
    const meter = options.meter ? [{ provide: METER, useClass: options.meter }] : [];
    return {
      module: InferenceModule,
      imports: options.imports ?? [],
      providers: [
        { provide: MODEL_CATALOG, useValue: catalog },
        ...observer,
        ...meter,
        {
          provide: InferenceService,
          useFactory: (obs?: InferenceObserver, m?: Meter) => new InferenceService(catalog, obs, m),
          inject: [
            { token: INFERENCE_OBSERVER, optional: true },
            { token: METER, optional: true },
          ],
        },
      ],
      exports: [MODEL_CATALOG, InferenceService],
    };
  }
}
