import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@gw/config';
import { runMigrations, startPostgres, type PostgresHandle } from '@gw/database';
import { Client } from 'pg';

/** Server settings of the run (reported with the figures: buffer hits and reads depend on them). */
export interface PgSettings {
  shared_buffers: string;
  [name: string]: string;
}

/**
 * Settings of a modest production server rather than the embedded defaults (128 MB of shared buffers would
 * measure the OS page cache): a quarter of a ~8 GB host, WAL room so the 10M-row load is not checkpoint-bound,
 * and I/O timing in the plans. Planner settings (work_mem, JIT, costs) stay at their defaults, as shipped.
 */
export const defaultSettings = (sharedBuffers: string): PgSettings => ({
  shared_buffers: sharedBuffers,
  max_wal_size: '8GB',
  checkpoint_timeout: '30min',
  maintenance_work_mem: '1GB',
  track_io_timing: 'on',
});

export interface BenchPostgres {
  url: string;
  dataDir: string;
  /** Whether the data dir already held a cluster (a `--data-dir` rerun). */
  reused: boolean;
  version: string;
  stop(): Promise<void>;
  /** Stops the server and deletes its data dir. */
  dispose(): Promise<void>;
}

async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/**
 * A private cluster of the gateway's own embedded Postgres (the npm binaries) in a data dir under /tmp, never the
 * machine's shared server: migrated, then restarted once with `settings` (shared_buffers needs a restart).
 */
export async function startBenchPostgres(settings: PgSettings, dataDir?: string, log: (m: string) => void = () => undefined): Promise<BenchPostgres> {
  const dir = dataDir ?? mkdtempSync('/tmp/gw-audit-scale-');
  const reused = existsSync(join(dir, 'pg', 'PG_VERSION'));
  const config = loadConfig({ EMBEDDED_PG_PORT: '0', DATA_DIR: dir });
  let pg: PostgresHandle = await startPostgres(config, log);
  try {
    await runMigrations(pg.url);
    await withClient(pg.url, async (c) => {
      for (const [name, value] of Object.entries(settings)) await c.query(`ALTER SYSTEM SET ${name} = '${value.replace(/'/g, "''")}'`);
    });
    await pg.stop();
    pg = await startPostgres(config, log);
  } catch (err) {
    await pg.stop();
    if (!dataDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const version = await withClient(pg.url, async (c) => (await c.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0].v);
  const handle = pg;
  return {
    url: handle.url,
    dataDir: dir,
    reused,
    version,
    stop: () => handle.stop(),
    dispose: async () => {
      await handle.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
