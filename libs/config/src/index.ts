export * from './config.schema';
export * from './gateway-config';
export * from './config.module';
