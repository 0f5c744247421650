export * from './runtime';
export * from './platform.module';
