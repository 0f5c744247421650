import { AuditEventEntity } from '@gw/audit';
import { ApiKeyEntity, AppUserEntity, OrganizationEntity, ProjectEntity } from '@gw/identity';
import { StoredResponseEntity } from '@gw/inference';
import { METERING_ENTITIES } from '@gw/metering';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations';

/** Every entity of the gateway, listed explicitly (glob discovery breaks once bundled). */
export const ENTITIES = [AuditEventEntity, OrganizationEntity, AppUserEntity, ApiKeyEntity, ProjectEntity, ...METERING_ENTITIES, StoredResponseEntity];

/** The gateway's own migrations ledger (not TypeORM's default `migrations`). */
export const MIGRATIONS_TABLE = 'gw_migrations';

/**
 * The single source of TypeORM options, used by {@link DatabaseModule}, {@link runMigrations}, the
 * migrate CLI and the tests. Schema changes happen only through committed migrations.
 */
export function buildDataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    synchronize: false,
    migrationsRun: false,
    // No 'error': TypeORM's query-error line repeats the SQL with its parameters (caller-supplied
    // values). Failed queries reach their callers, which log the SQLSTATE only (see @gw/queue write-failure).
    logging: ['warn'],
    applicationName: 'llm-gateway',
    poolSize,
    extra: { connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 },
  };
}

/** A data source over {@link buildDataSourceOptions}, not yet initialised. */
export function createDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource(buildDataSourceOptions(url, poolSize));
}
