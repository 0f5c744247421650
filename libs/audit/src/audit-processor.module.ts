import { join } from 'node:path';
import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { DeadLetterStore } from '@gw/queue';
import { Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity';
import { AuditRepository, CHAIN_WRITER_OPTIONS } from './audit.repository';
import { AUDIT_CHAIN_TIMING, AUDIT_SIGNER, AuditChainService, type AuditChainTiming } from './chain/audit-chain.service';
import type { ChainWriterOptions } from './chain/chain-writer';
import { CheckpointSigner } from './chain/checkpoint-signer';
import { AuditReader } from './read/audit-reader';
import { AuditActions } from './trail/audit-actions';
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

/** The checkpoint signer: AUDIT_SIGNING_KEY, else `<DATA_DIR>/audit-signing-key.pem` (generated on first start). */
export function auditSigner(config: GatewayConfig): CheckpointSigner {
  const file = join(config.dataDir, 'audit-signing-key.pem');
  const { signer, generated } = CheckpointSigner.load(config.env.AUDIT_SIGNING_KEY, file);
  if (generated) new Logger('AuditChain').log(`generated the audit signing key ${signer.keyId} into ${file}`);
  return signer;
}

const writerOptions = (config: GatewayConfig, signer: CheckpointSigner): ChainWriterOptions => ({
  signer,
  checkpointEvery: config.env.AUDIT_CHECKPOINT_EVERY,
  dedupeWindowMs: config.env.AUDIT_DEDUPE_WINDOW_HOURS * 3600_000,
});

const timing = (config: GatewayConfig): AuditChainTiming => ({
  inboxPollMs: config.env.AUDIT_INBOX_POLL_MS,
  checkpointIntervalMs: config.env.AUDIT_CHECKPOINT_INTERVAL_MS,
  partitionsAhead: config.env.AUDIT_PARTITIONS_AHEAD,
  retentionMonths: config.env.AUDIT_RETENTION_MONTHS,
});

/**
 * For the control plane: the audit worker and the chain around it (signer, inbox drain, timed checkpoints,
 * partitions). Needs `ConfigModule.forRoot(config)`, `QueueModule.forRoot(queueConnection)` and a data source
 * (`DatabaseModule.forRoot(url)` or `DatabaseModule.forDataSource(ds)`) in the app.
 */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity])],
  providers: [
    { provide: AUDIT_PROCESSOR_OPTIONS, useFactory: auditProcessorOptions, inject: [GATEWAY_CONFIG] },
    { provide: DeadLetterStore, useFactory: (ds: DataSource) => new DeadLetterStore(ds), inject: [DataSource] },
    { provide: AUDIT_SIGNER, useFactory: auditSigner, inject: [GATEWAY_CONFIG] },
    { provide: CHAIN_WRITER_OPTIONS, useFactory: writerOptions, inject: [GATEWAY_CONFIG, AUDIT_SIGNER] },
    { provide: AUDIT_CHAIN_TIMING, useFactory: timing, inject: [GATEWAY_CONFIG] },
    AuditRepository,
    AuditProcessor,
    AuditChainService,
    AuditActions,
    AuditReader,
  ],
  exports: [AuditRepository, AuditProcessor, DeadLetterStore, AuditChainService, AUDIT_SIGNER, AuditActions, AuditReader],
})
export class AuditProcessorModule {}
