import 'reflect-metadata';
import { loadConfig } from '@gw/config';
import { openCliDatabase, type CliDatabase } from './cli-database';
import { runMigrations } from '../migrator';

/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL, else to the running embedded gateway's database
 * (DATA_DIR/runtime.json), else to the embedded cluster under DATA_DIR (started for the occasion and stopped again).
 */
async function main(): Promise<number> {
  const config = loadConfig();
  const log = (msg: string) => process.stdout.write(`${msg}\n`);
  let pg: CliDatabase | undefined;
  const interrupted = () => {
    void (pg?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    pg = await openCliDatabase(config, log);
    const applied = await runMigrations(pg.url);
    log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'no pending migrations');
    return 0;
  } catch (err) {
    process.stderr.write(`migrate failed: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  } finally {
    await pg?.stop();
  }
}

void main().then((code) => process.exit(code));
