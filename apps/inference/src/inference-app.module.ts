import { Module, type DynamicModule } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AUDIT_QUEUE, AuditProducerModule } from '@gw/audit';
import { ConfigModule } from '@gw/config';
import { DatabaseModule, checkDatabase } from '@gw/database';
import { InferenceModule } from '@gw/inference';
import { HealthController, READINESS_CHECKS, type ReadinessCheck } from '@gw/observability';
import { QueueModule, checkQueue } from '@gw/queue';
import type { Runtime } from '@gw/runtime';
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
        ConfigModule.forRoot(rt.config),
        DatabaseModule.forDataSource(rt.dataSource),
        QueueModule.forRoot(rt.queue),
        AuditProducerModule,
        InferenceModule.forRoot(rt.catalog, { imports: [AuditProducerModule], observer: AuditObserver }),
      ],
      controllers: [OpenAIChatController, ModelsController, HealthController],
      providers: [
        ProtocolHandler,
        InflightRegistry,
        {
          provide: READINESS_CHECKS,
          inject: [DataSource, getQueueToken(AUDIT_QUEUE)],
          useFactory: (ds: DataSource, queue: Queue): ReadinessCheck[] => [
            { name: 'database', check: () => checkDatabase(ds) },
            { name: 'queue', check: () => checkQueue(queue) },
            { name: 'models', check: async () => rt.catalog.notReady().length === 0 },
          ],
        },
      ],
    };
  }
}
