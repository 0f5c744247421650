import type { GatewayConfig } from '@gw/config';
import {
  clearOwner,
  clusterPaths,
  createPassword,
  ensureDataDir,
  isInitialised,
  isRoot,
  readPassword,
  recoverOrphan,
  writeOwner,
  type ClusterPaths,
  type UserIds,
} from './cluster-dir.util';
import { initialiseCluster } from './initdb.util';
import { reachableBinaries, reachableDataDir, ensurePostgresUser } from './reachable.util';
import { ensureDatabase, PostmasterExitedError, spawnPostmaster, stopChildPostmaster, waitUntilReady, type Postmaster } from './postmaster.util';
import { freePort, stopPostmaster, trySignal } from './process.util';

/** The database the gateway uses inside the embedded cluster. */
export const EMBEDDED_DATABASE = 'gateway';

export interface PostgresHandle {
  /** Connection string of the gateway database. */
  readonly url: string;
  /** True when this process started (and owns) an embedded cluster. */
  readonly embedded: boolean;
  /** Postmaster pid (embedded mode only). */
  readonly pid?: number;
  /** Stops the embedded postmaster (fast shutdown); idempotent; a no-op with DATABASE_URL. */
  stop(): Promise<void>;
}

const urlFor = (password: string, port: number, db: string) =>
  `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

/**
 * Returns the database to use: `DATABASE_URL` as is, or an embedded Postgres (real binaries from
 * npm) with its data under `<DATA_DIR>/pg`, started in ~1 s warm. The caller stops it last, after
 * the apps, queues and data sources have closed.
 */
export async function startPostgres(config: GatewayConfig, log: (msg: string) => void = () => undefined): Promise<PostgresHandle> {
  if (config.env.DATABASE_URL) {
    return { url: config.env.DATABASE_URL, embedded: false, stop: async () => undefined };
  }
  const started = Date.now();
  const ids = isRoot() ? ensurePostgresUser(log) : undefined;
  const paths = clusterPaths(reachableDataDir(config.dataDir, ids, log));
  ensureDataDir(paths, log);
  await recoverOrphan(paths, log);
  const bins = await reachableBinaries(ids, log);

  let password: string;
  if (isInitialised(paths)) {
    password = readPassword(paths);
  } else {
    password = createPassword(paths);
    log(`embedded postgres: initialising a new cluster in ${paths.pgData}`);
    await initialiseCluster(paths, password, bins.initdb, ids);
  }

  const pm = await spawnAndWait(bins.postgres, paths, password, ids, config.env.EMBEDDED_PG_PORT);
  writeOwner(paths, pm.pid);
  // Last-resort safety net: the 'exit' event only runs synchronous code, so send the signal and let
  // the detached postmaster finish its fast shutdown on its own.
  const onExit = () => void trySignal(pm.pid, 'SIGINT');
  process.on('exit', onExit);
  try {
    await ensureDatabase(urlFor(password, pm.port, 'postgres'), EMBEDDED_DATABASE);
  } catch (err) {
    await stopChildPostmaster(pm);
    process.removeListener('exit', onExit);
    clearOwner(paths);
    throw err;
  }
  log(`embedded postgres ready on 127.0.0.1:${pm.port} (pid ${pm.pid}) in ${Date.now() - started} ms`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // EmbeddedPostgres.stop() hangs when the child already exited: we track the process ourselves.
      await stopChildPostmaster(pm);
      process.removeListener('exit', onExit);
      clearOwner(paths);
      log(`embedded postgres stopped (pid ${pm.pid})`);
    })());
  return { url: urlFor(password, pm.port, EMBEDDED_DATABASE), embedded: true, pid: pm.pid, stop };
}

async function spawnAndWait(postgres: string, paths: ClusterPaths, password: string, ids: UserIds | undefined, fixedPort: number): Promise<Postmaster> {
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort || (await freePort());
    const pm = spawnPostmaster(postgres, paths, port, ids);
    try {
      await waitUntilReady(pm, password, paths);
      return pm;
    } catch (err) {
      await stopPostmaster(pm.pid, 2_000);
      // A port picked as free can be taken before the postmaster binds it: pick another one.
      const retry = err instanceof PostmasterExitedError && err.portInUse && !fixedPort && attempt < 3;
      if (!retry) throw err;
    }
  }
}
