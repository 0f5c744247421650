import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { DeadLetterStore } from '@gw/queue';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity';
import { AuditRepository } from './audit.repository';
import { AUDIT_PROCESSOR_OPTIONS, AuditProcessor, type AuditProcessorOptions } from './queue/audit.processor';

/** A partial batch waits at most this long for more jobs before it is written. */
export const AUDIT_WRITE_LINGER_MS = 5;

export function auditProcessorOptions(config: GatewayConfig): AuditProcessorOptions {
  const { AUDIT_BATCH_SIZE, AUDIT_WORKER_CONCURRENCY, AUDIT_FLUSH_MS } = config.env;
  return {
    concurrency: AUDIT_WORKER_CONCURRENCY,
    batchSize: AUDIT_BATCH_SIZE,
    lingerMs: Math.min(AUDIT_FLUSH_MS, AUDIT_WRITE_LINGER_MS),
    maxConcurrentWrites: 2,
  };
}

/**
 * For the control plane: the audit worker, writing batches through {@link AuditRepository}.
 * Needs `ConfigModule.forRoot(config)`, `QueueModule.forRoot(queueConnection)` and a data source
 * (`DatabaseModule.forRoot(url)` or `DatabaseModule.forDataSource(ds)`) in the app.
 */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity])],
  providers: [
    { provide: AUDIT_PROCESSOR_OPTIONS, useFactory: auditProcessorOptions, inject: [GATEWAY_CONFIG] },
    { provide: DeadLetterStore, useFactory: (ds: DataSource) => new DeadLetterStore(ds), inject: [DataSource] },
    AuditRepository,
    AuditProcessor,
  ],
  exports: [AuditRepository, AuditProcessor, DeadLetterStore],
})
export class AuditProcessorModule {}
