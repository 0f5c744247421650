/** Test support: local receivers speaking each connector's protocol (node:http, in memory). */
export * from './http-server';
export * from './webhook-receiver';
export * from './splunk-receiver';
export * from './s3-receiver';
export * from './otlp-receiver';
export * from './events';
export * from './tls-fixture';
