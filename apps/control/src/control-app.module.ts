import { Module, type DynamicModule } from '@nestjs/common';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AUDIT_QUEUE, AuditProcessorModule } from '@gw/audit';
import { ConfigModule } from '@gw/config';
import { DatabaseModule, checkDatabase } from '@gw/database';
import { HealthController, READINESS_CHECKS, type ReadinessCheck } from '@gw/observability';
import { QueueModule, checkQueue } from '@gw/queue';
import type { Runtime } from '@gw/runtime';

/** Control plane: admin/audit APIs (later issues) and the queue processors that write audit rows. */
@Module({})
export class ControlAppModule {
  static register(rt: Runtime): DynamicModule {
    return {
      module: ControlAppModule,
      imports: [
        ConfigModule.forRoot(rt.config),
        DatabaseModule.forDataSource(rt.dataSource),
        QueueModule.forRoot(rt.queue),
        AuditProcessorModule,
        BullModule.registerQueue({ name: AUDIT_QUEUE }),
      ],
      controllers: [HealthController],
      providers: [
        {
          provide: READINESS_CHECKS,
          inject: [DataSource, getQueueToken(AUDIT_QUEUE)],
          useFactory: (ds: DataSource, queue: Queue): ReadinessCheck[] => [
            { name: 'database', check: () => checkDatabase(ds) },
            { name: 'queue', check: () => checkQueue(queue) },
          ],
        },
      ],
    };
  }
}
