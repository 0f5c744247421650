import type { DynamicModule, Provider } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { ConfigModule } from '@gw/config';
import { DatabaseModule, checkDatabase } from '@gw/database';
import { READINESS_CHECKS, type ReadinessCheck } from '@gw/observability';
import { QueueModule, checkQueue } from '@gw/queue';
import type { Runtime } from './runtime';

/** What every app of a process imports: the validated config, the shared data source, the queue backend. */
export function platformImports(rt: Pick<Runtime, 'config' | 'dataSource' | 'queue'>): DynamicModule[] {
  return [ConfigModule.forRoot(rt.config), DatabaseModule.forDataSource(rt.dataSource), QueueModule.forRoot(rt.queue)];
}

/** Readiness = the database answers, `queueName` answers, and whatever the app adds. */
export function readinessProvider(queueName: string, extra: ReadinessCheck[] = []): Provider {
  return {
    provide: READINESS_CHECKS,
    inject: [DataSource, getQueueToken(queueName)],
    useFactory: (ds: DataSource, queue: Queue): ReadinessCheck[] => {
      // A dropped connection is what the probe reports; unheard, BullMQ prints the raw error to stderr instead.
      queue.on('error', () => undefined);
      return [{ name: 'database', check: () => checkDatabase(ds) }, { name: 'queue', check: () => checkQueue(queue) }, ...extra];
    },
  };
}
