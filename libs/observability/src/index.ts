export * from './logger';
export * from './http-app';
export * from './health.controller';
export * from './http-error.filter';
export * from './edge-errors';
export * from './json-limits';
export * from './log-safe';
