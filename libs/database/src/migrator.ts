import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source';

/** Serialises concurrent migrators (several replicas starting with MIGRATE_ON_START). */
const MIGRATION_LOCK_KEY = 4_711_202_611;

async function withMigrationLock<T>(url: string, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = createDataSource(url, 2);
  await ds.initialize();
  const lock = ds.createQueryRunner();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await work(ds);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
    await ds.destroy();
  }
}

/** Applies pending migrations (each in its own transaction); returns the names applied. */
export function runMigrations(url: string): Promise<string[]> {
  return withMigrationLock(url, async (ds) => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  });
}

/** Reverts the most recent migration (its `down`). For operators and tests. */
export function revertLastMigration(url: string): Promise<void> {
  return withMigrationLock(url, (ds) => ds.undoLastMigration({ transaction: 'each' }));
}

/**
 * SQL that would bring the schema in line with the entities: empty when the committed migrations
 * match the entities (the schema-drift check of CI).
 */
export async function schemaDrift(url: string): Promise<string[]> {
  const ds = createDataSource(url, 1);
  await ds.initialize();
  try {
    const sql = await ds.driver.createSchemaBuilder().log();
    return sql.upQueries.map((q) => q.query);
  } finally {
    await ds.destroy();
  }
}
