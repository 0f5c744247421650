import { Client } from 'pg';
import Redis from 'ioredis';

export const LOCAL_PG = 'postgres://postgres@127.0.0.1:5432';
export const LOCAL_REDIS = 'redis://127.0.0.1:6379';

/** Drops and recreates a database on the machine's Postgres; refuses names without `test`. */
export async function freshDatabase(name: string): Promise<string> {
  if (!name.includes('test')) throw new Error(`refusing to reset database "${name}": its name must contain "test"`);
  const admin = new Client({ connectionString: `${LOCAL_PG}/postgres` });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return `${LOCAL_PG}/${name}`;
}

/** Empties one Redis logical database and returns its URL. */
export async function freshRedis(db: number): Promise<string> {
  const url = `${LOCAL_REDIS}/${db}`;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.flushdb();
  redis.disconnect();
  return url;
}

/** Polls `sql` until it returns at least `n` rows. */
export async function waitForRows<T>(url: string, sql: string, params: unknown[], n: number, timeoutMs = 15_000): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query(sql, params);
      if (rows.length >= n || Date.now() > deadline) return rows as T[];
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await client.end();
  }
}
