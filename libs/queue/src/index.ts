export * from './queue-backend';
export * from './queue.constants';
export * from './queue.health';
export * from './queue.module';
export * from './buffered-producer';
export * from './batch-worker';
