import 'reflect-metadata';
import { loadConfig, type GatewayConfig } from '@gw/config';
import { createDataSource, openCliDatabase, type CliDatabase } from '@gw/database';
import type { DataSource } from 'typeorm';

/** Exit codes of every `ops` command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A caller mistake found before anything ran: exit 2, the message and the usage on stderr. */
export class UsageError extends Error {}

/** What a command gets: the validated config, and the database (opened on first use, closed after the command). */
export interface CliContext {
  config: GatewayConfig;
  db(): Promise<{ ds: DataSource; url: string; source: CliDatabase['source'] }>;
  log(msg: string): void;
}

/**
 * Runs one command: its result is printed once as JSON on stdout (the only place a created key or password ever
 * appears); diagnostics go to stderr; the exit code says how it went. Never prints a stack or a secret on failure.
 */
export async function runCommand(work: (ctx: CliContext) => Promise<{ ok: boolean; result: unknown }>): Promise<number> {
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  let opened: { pg: CliDatabase; ds: DataSource } | undefined;
  try {
    const config = loadConfig();
    const ctx: CliContext = {
      config,
      log,
      db: async () => {
        if (!opened) {
          const pg = await openCliDatabase(config, log);
          opened = { pg, ds: await createDataSource(pg.url, 2).initialize() };
        }
        return { ds: opened.ds, url: opened.pg.url, source: opened.pg.source };
      },
    };
    const { ok, result } = await work(ctx);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return ok ? EXIT.ok : EXIT.failed;
  } catch (err) {
    if (err instanceof UsageError) {
      log(`error: ${err.message}`);
      return EXIT.usage;
    }
    const e = err as { param?: string; message?: string };
    log(`failed: ${e.param ? `${e.param}: ` : ''}${e.message ?? String(err)}`);
    return EXIT.failed;
  } finally {
    await opened?.ds.destroy().catch(() => undefined);
    await opened?.pg.stop().catch(() => undefined);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuidArg(name: string, value: string | undefined): string {
  if (!value || !UUID.test(value)) throw new UsageError(`--${name} must be a UUID (got ${value === undefined ? 'nothing' : JSON.stringify(value.slice(0, 40))})`);
  return value.toLowerCase();
}

export function intArg(name: string, value: string | undefined, min: number): number {
  const n = value === undefined || !/^\d+$/.test(value) ? NaN : Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min} (got ${JSON.stringify(value ?? '')})`);
  return n;
}

/** A project id as the schema stores it (`CHK_project_project_id`). */
export function projectIdArg(value: string): string {
  if (!/^proj_[a-z0-9][a-z0-9_]{0,62}$/.test(value)) throw new UsageError(`--project-id must be proj_ followed by 1 to 63 of a-z, 0-9 and _ (got ${JSON.stringify(value.slice(0, 70))})`);
  return value;
}
