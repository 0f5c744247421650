import { Global, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Tracing, type TracingOptions } from './tracing';

class TracingShutdown implements OnApplicationShutdown {
  constructor(private readonly tracing: Tracing) {}

  async onApplicationShutdown(): Promise<void> {
    await this.tracing.shutdown().catch(() => undefined); // the last spans go out with the process, or are lost with the collector
  }
}

/** Provides {@link Tracing} when an OTLP endpoint is configured, and nothing otherwise (the handler then creates no span). */
@Global()
@Module({})
export class TracingModule {
  static forRoot(opts: TracingOptions | undefined): DynamicModule {
    if (!opts) return { module: TracingModule };
    const tracing = new Tracing(opts);
    return {
      module: TracingModule,
      providers: [{ provide: Tracing, useValue: tracing }, { provide: TracingShutdown, useValue: new TracingShutdown(tracing) }],
      exports: [Tracing],
    };
  }
}
