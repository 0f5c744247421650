import { Module, type DynamicModule } from '@nestjs/common';
import { AUDIT_QUEUE, AuditProducerModule } from '@gw/audit';
import { InferenceModule } from '@gw/inference';
import { HealthController } from '@gw/observability';
import { platformImports, readinessProvider, type Runtime } from '@gw/runtime';
import { AuditObserver } from './audit.observer';
import { ModelsController } from './models.controller';
import { OpenAIChatController } from './protocols/openai-chat/openai-chat.controller';
import { InflightRegistry } from './protocols/shared/inflight.registry';
import { ProtocolHandler } from './protocols/shared/protocol-handler';

/** Data plane: the OpenAI/Anthropic-compatible endpoints. Stateless; scale out behind a load balancer. */
@Module({})
export class InferenceAppModule {
  static register(rt: Runtime): DynamicModule {
    return {
      module: InferenceAppModule,
      imports: [
        ...platformImports(rt),
        AuditProducerModule,
        InferenceModule.forRoot(rt.catalog, { imports: [AuditProducerModule], observer: AuditObserver }),
      ],
      controllers: [OpenAIChatController, ModelsController, HealthController],
      providers: [
        ProtocolHandler,
        InflightRegistry,
        readinessProvider(AUDIT_QUEUE, [{ name: 'models', check: async () => rt.catalog.notReady().length === 0 }]),
      ],
    };
  }
}
