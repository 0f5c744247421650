import { createServer, connect, type Server, type Socket } from 'node:net';
import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { loadConfig } from '@gw/config';
import { createDataSource } from '@gw/database';
import { configureQueueBackend, DeadLetterStore, type QueueConnection } from '@gw/queue';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';
import { uniqueQueuePrefix } from '../../libs/queue/src/testing';

/** Shared set-up of the poison-* medium specs (writers helper, issue 8). Redis: logical DB 12 only. */
export const REDIS_URL = `${process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'}/12`;

export type QueueMode = 'redis' | 'postgres';
export const MODES: QueueMode[] = ['redis', 'postgres'];

export interface PoisonEnv {
  db: TestDatabase;
  /** The writers' data source (through `proxy` when one was asked for). */
  ds: DataSource;
  /** A direct data source for assertions. */
  direct: DataSource;
  qc: QueueConnection;
  deadLetters: DeadLetterStore;
  proxy?: PgProxy;
  teardown(): Promise<void>;
}

/**
 * A fresh migrated database `gw_writers_test_<tag>_<mode>` and a queue backend: BullMQ on Redis (DB 12,
 * a unique prefix) or on the Postgres backend of that database. `viaProxy`: the writers reach
 * Postgres through a TCP proxy the test can cut (BullMQ's own Postgres backend does not).
 */
export async function setupMode(mode: QueueMode, tag: string, opts: { viaProxy?: boolean } = {}): Promise<PoisonEnv> {
  const db = await createTestDatabase({ name: `gw_writers_test_${tag}_${mode}_${Date.now().toString(36)}` });
  const proxy = opts.viaProxy ? await startPgProxy(5432) : undefined;
  const writerUrl = proxy ? db.url.replace(':5432/', `:${proxy.port}/`) : db.url;
  const ds = await createDataSource(writerUrl, 4).initialize();
  const direct = await createDataSource(db.url, 2).initialize();
  const env = mode === 'redis' ? { DATABASE_URL: db.url, REDIS_URL } : { DATABASE_URL: db.url };
  const qc = configureQueueBackend(loadConfig(env), db.url, { prefix: uniqueQueuePrefix('gwwriters') });
  return {
    db,
    ds,
    direct,
    qc,
    proxy,
    deadLetters: new DeadLetterStore(ds),
    async teardown() {
      await ds.destroy().catch(() => undefined);
      await direct.destroy();
      await proxy?.close();
      await db.drop();
    },
  };
}

export async function deadLetterRows(ds: DataSource, queue: string): Promise<Array<{ record_key: string; error_code: string; error_message: string; payload: unknown; failures: number }>> {
  return ds.query('SELECT record_key, error_code, error_message, payload, failures FROM dead_letter WHERE queue = $1 ORDER BY record_key', [queue]);
}

/** Every line the Nest loggers write, and everything written to stdout/stderr (TypeORM, pg), until `restore()`. */
export function captureLogs(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const record = (level: string) => (message: unknown, ...rest: unknown[]) => void lines.push(`[${level}] ${String(message)} ${rest.map(String).join(' ')}`);
  const capturing: LoggerService = { log: record('log'), error: record('error'), warn: record('warn'), debug: record('debug'), verbose: record('verbose'), fatal: record('fatal') };
  Logger.overrideLogger(capturing);
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  streams.forEach((s, i) => {
    const original = originals[i];
    s.write = function (this: NodeJS.WriteStream, ...args: Parameters<typeof original>) {
      const chunk: unknown = args[0];
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return original.apply(this, args);
    } as typeof original;
  });
  return {
    lines,
    restore() {
      streams.forEach((s, i) => (s.write = originals[i]));
      Logger.overrideLogger(new ConsoleLogger());
    },
  };
}

/** A TCP proxy to Postgres that can be cut (connections reset, new ones refused) and restored. */
export interface PgProxy {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

async function startPgProxy(targetPort: number): Promise<PgProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const srv = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => undefined);
          s.on('close', () => (sockets.delete(s), client.destroy(), upstream.destroy()));
        }
        client.pipe(upstream).pipe(client);
      });
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        port = (srv.address() as { port: number }).port;
        server = srv;
        resolve();
      });
    });
  const cut = async () => {
    const srv = server;
    server = undefined;
    for (const s of sockets) s.destroy();
    if (srv) await new Promise((r) => srv.close(r));
  };
  await listen();
  return { port, cut, restore: listen, close: cut };
}
