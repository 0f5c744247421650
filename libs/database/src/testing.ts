import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type GatewayConfig } from '@gw/config';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { runMigrations } from './migrator';
import { startPostgres, type PostgresHandle } from './postgres/start-postgres';

/**
 * Test support for medium and e2e suites (not exported from the main barrel).
 * Import from `libs/database/src/testing`.
 */

/** The machine's Postgres (trust auth on this kind of box). */
export const DEFAULT_TEST_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/** Refuses to touch a database whose name does not contain `test`. */
export function assertTestDatabase(url: string): void {
  const name = databaseName(url);
  if (!name.includes('test')) throw new Error(`Refusing to run destructive tests against database "${name}": its name must contain "test".`);
}

export interface TestDatabase {
  url: string;
  name: string;
  /** Drops the database (closing its other connections first). */
  drop(): Promise<void>;
}

async function admin<T>(adminUrl: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a fresh database (default name `gw_test_<random>`) on the machine's Postgres and, unless
 * `migrate: false`, applies the committed migrations to it.
 */
export async function createTestDatabase(opts: { adminUrl?: string; name?: string; migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = opts.adminUrl ?? DEFAULT_TEST_ADMIN_URL;
  const name = opts.name ?? `gw_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const target = new URL(adminUrl);
  target.pathname = `/${encodeURIComponent(name)}`;
  const url = target.toString();
  assertTestDatabase(url);
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  const drop = () => admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)).then(() => undefined);
  try {
    if (opts.migrate !== false) await runMigrations(url);
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
  return { url, name, drop };
}

/** Empties the given tables (immich's resetDatabase): `TRUNCATE ... RESTART IDENTITY CASCADE` (rows of tables referencing them go too). */
export async function truncateTables(dataSource: DataSource, tables: string[]): Promise<void> {
  if (!tables.length) return;
  await dataSource.query(`TRUNCATE ${tables.map((t) => `"${t.replace(/"/g, '""')}"`).join(', ')} RESTART IDENTITY CASCADE`);
}

export interface TestEmbeddedPostgres extends PostgresHandle {
  config: GatewayConfig;
  dataDir: string;
  /** Stops Postgres and deletes the temporary data dir. */
  dispose(): Promise<void>;
}

/**
 * Starts an embedded cluster in a fresh temporary DATA_DIR under /tmp (which the `postgres` user
 * can traverse, unlike /root) and applies the migrations.
 */
export async function startTestEmbeddedPostgres(env: Record<string, string> = {}): Promise<TestEmbeddedPostgres> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-embedded-pg-'));
  const config = loadConfig({ EMBEDDED_PG_PORT: '0', ...env, DATA_DIR: dataDir });
  const pg = await startPostgres(config);
  try {
    await runMigrations(pg.url);
  } catch (err) {
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...pg,
    stop: () => pg.stop(),
    config,
    dataDir,
    dispose: async () => {
      await pg.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
