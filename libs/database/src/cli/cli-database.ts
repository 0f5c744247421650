import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfig } from '@gw/config';
import { startPostgres, type PostgresHandle } from '../postgres/start-postgres';

/** Where a CLI's database came from, for its messages. */
export type CliDatabaseSource = 'DATABASE_URL' | 'running gateway' | 'embedded (started by this command)';

export interface CliDatabase extends Pick<PostgresHandle, 'url' | 'stop'> {
  source: CliDatabaseSource;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, only not ours to signal
  }
}

/** The embedded database of the gateway running on DATA_DIR, from its `runtime.json`, if that gateway is alive. */
export function runningGatewayDatabase(dataDir: string): string | undefined {
  const file = join(dataDir, 'runtime.json');
  if (!existsSync(file)) return undefined;
  try {
    const rt = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown; databaseUrl?: unknown };
    return typeof rt.pid === 'number' && alive(rt.pid) && typeof rt.databaseUrl === 'string' ? rt.databaseUrl : undefined;
  } catch {
    return undefined; // half-written or foreign: as if no gateway ran
  }
}

/**
 * The database a CLI works on: DATABASE_URL; else the embedded database of the gateway running on DATA_DIR (its
 * `runtime.json`: the cluster is that gateway's, a second postmaster on it would be refused); else the embedded
 * cluster under DATA_DIR, started for the command and stopped by `stop()`.
 */
export async function openCliDatabase(config: GatewayConfig, log: (msg: string) => void): Promise<CliDatabase> {
  if (config.env.DATABASE_URL) return { url: config.env.DATABASE_URL, source: 'DATABASE_URL', stop: async () => undefined };
  const running = runningGatewayDatabase(config.dataDir);
  if (running) return { url: running, source: 'running gateway', stop: async () => undefined };
  const pg = await startPostgres(config, log);
  return { url: pg.url, source: 'embedded (started by this command)', stop: () => pg.stop() };
}
