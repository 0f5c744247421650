/** Audit connectors: configs, secrets at rest, the wire payload, senders and the retry schedule (issue 11 item 6). */
export * from './connector.types';
export * from './connector-config';
export { mapSecrets, secretValues } from './connector-secrets';
export * from './secret-box';
export * from './payload';
export * from './backoff';
export * from './senders';
export * from './delivery';
