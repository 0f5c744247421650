import { Global, Module, type DynamicModule } from '@nestjs/common';
import { GatewayMetrics } from './gateway-metrics';
import { MetricsController } from './metrics.controller';

/** One {@link GatewayMetrics} per app, injectable everywhere in it, and its `/metrics` route. */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(enabled: boolean): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: GatewayMetrics, useValue: new GatewayMetrics(enabled) }],
      exports: [GatewayMetrics],
    };
  }
}
