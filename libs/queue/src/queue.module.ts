import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import type { QueueConnection } from './queue-backend';

/** Injection token for the process's {@link QueueConnection} (processors build workers from it). */
export const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');

@Module({})
export class QueueModule {
  /**
   * Global BullMQ configuration of one Nest app: `BullModule.forRoot` with the chosen backend, plus
   * the {@link QueueConnection} itself. Call `configureQueueBackend` before creating the app.
   */
  static forRoot(queue: QueueConnection): DynamicModule {
    return {
      global: true,
      module: QueueModule,
      imports: [BullModule.forRoot({ connection: queue.connection, prefix: queue.prefix })],
      providers: [{ provide: QUEUE_CONNECTION, useValue: queue }],
      exports: [BullModule, QUEUE_CONNECTION],
    };
  }
}
