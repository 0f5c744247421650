export * from './data-source';
export * from './database.health';
export * from './database.module';
export * from './migrator';
export { MIGRATIONS } from './migrations';
export { EMBEDDED_DATABASE, startPostgres, type PostgresHandle } from './postgres/start-postgres';
export { openCliDatabase, runningGatewayDatabase, type CliDatabase, type CliDatabaseSource } from './cli/cli-database';
