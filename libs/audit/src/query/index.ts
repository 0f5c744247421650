export * from './audit-query';
export * from './cursor';
export * from './query-params';
export * from './query-sql';
export * from './stats-shape';
export * from './csv';
