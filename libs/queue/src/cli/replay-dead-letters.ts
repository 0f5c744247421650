import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@gw/config';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { DeadLetterStore } from '../dead-letter.store';
import { replayDeadLetters } from '../dead-letter.replay';
import { configureQueueBackend } from '../queue-backend';

const USAGE = `usage: node dist/libs/queue/src/cli/replay-dead-letters.js --queue <audit|billing|...> [--key <record_key>]... [--limit N] [--list]
  --list   print the open dead letters of the queue as JSON lines, change nothing
  default  re-enqueue them (same job id and name, the stored payload) and mark them replayed;
           a record that fails again is dead-lettered again (failures + 1, open again)
Database: DATABASE_URL, else the running embedded gateway's DATA_DIR/runtime.json. Queues: REDIS_URL, else Postgres.`;

/** The database of this deployment: DATABASE_URL, or the embedded one a running gateway advertises. */
function databaseUrl(config: ReturnType<typeof loadConfig>): string {
  if (config.env.DATABASE_URL) return config.env.DATABASE_URL;
  const runtime = JSON.parse(readFileSync(join(config.env.DATA_DIR, 'runtime.json'), 'utf8')) as { databaseUrl?: string | null };
  if (!runtime.databaseUrl) throw new Error('no DATABASE_URL and no embedded database in runtime.json (is the gateway running?)');
  return runtime.databaseUrl;
}

/** Operator tool: lists or replays (see {@link replayDeadLetters}) a queue's open dead letters. */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { queue: { type: 'string' }, key: { type: 'string', multiple: true }, limit: { type: 'string' }, list: { type: 'boolean' } } });
  if (!values.queue) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadConfig();
  const url = databaseUrl(config);
  const db = new Client({ connectionString: url });
  await db.connect();
  const store = new DeadLetterStore({ query: async (sql, params) => (await db.query(sql, params)).rows });
  const connection = configureQueueBackend(config, url);
  const queue = new Queue(values.queue, { connection: connection.connection, prefix: connection.prefix });
  try {
    if (values.list) {
      for (const d of await store.listOpen(values.queue, Number(values.limit ?? 1_000))) {
        if (!values.key || values.key.includes(d.recordKey)) process.stdout.write(`${JSON.stringify(d)}\n`);
      }
      return 0;
    }
    const result = await replayDeadLetters(store, queue, { keys: values.key, limit: Number(values.limit ?? 1_000) });
    process.stdout.write(`${JSON.stringify({ queue: values.queue, ...result })}\n`);
    return 0;
  } finally {
    await queue.close();
    await db.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`replay failed: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
