export * from './audit-record';
export * from './audit-event.entity';
export * from './audit.repository';
export * from './queue/audit.queue';
export * from './queue/audit.producer';
export * from './queue/audit.processor';
export * from './audit-producer.module';
export * from './audit-processor.module';
