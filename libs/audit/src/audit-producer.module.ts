import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { DEFAULT_JOB_OPTIONS } from '@gw/queue';
import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AUDIT_QUEUE } from './queue/audit.queue';
import { AUDIT_PRODUCER_OPTIONS, AuditProducer, type AuditProducerOptions } from './queue/audit.producer';

export function auditProducerOptions(config: GatewayConfig): AuditProducerOptions {
  const { AUDIT_BATCH_SIZE, AUDIT_FLUSH_MS } = config.env;
  return { batchSize: AUDIT_BATCH_SIZE, flushMs: AUDIT_FLUSH_MS, maxBuffered: Math.max(100_000, AUDIT_BATCH_SIZE * 100) };
}

const auditQueue = BullModule.registerQueue({ name: AUDIT_QUEUE, defaultJobOptions: DEFAULT_JOB_OPTIONS });

/**
 * For the inference plane: registers the audit queue and provides {@link AuditProducer}; also
 * exports the queue itself (`@InjectQueue(AUDIT_QUEUE)`, e.g. for `checkQueue`).
 * Needs `ConfigModule.forRoot(config)` and `QueueModule.forRoot(queueConnection)` in the app.
 */
@Module({
  imports: [auditQueue],
  providers: [{ provide: AUDIT_PRODUCER_OPTIONS, useFactory: auditProducerOptions, inject: [GATEWAY_CONFIG] }, AuditProducer],
  exports: [AuditProducer, auditQueue],
})
export class AuditProducerModule {}
