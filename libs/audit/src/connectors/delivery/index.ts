/** Connector storage, scheduling and delivery through BullMQ (issue 11 item 6). */
export * from './connector-store';
export * from './delivery-job';
export * from './connector-scheduler';
export * from './delivery-worker';
export * from './connector-delivery.service';
export * from './audit-connectors.module';
