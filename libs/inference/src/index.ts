export * from './canonical/canonical-request';
export * from './canonical/canonical-event';
export * from './canonical/fold-events';
export * from './errors/gateway-error';
export * from './providers/model-provider';
