export * from './logger';
export * from './http-app';
export * from './health.controller';
export * from './http-error.filter';
