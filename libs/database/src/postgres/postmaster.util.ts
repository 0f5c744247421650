import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { ClusterPaths, UserIds } from './cluster-dir.util';
import { stopPostmaster, trySignal } from './process.util';

export interface Postmaster {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Size of pg.log before this postmaster started: its own output follows. */
  logOffset: number;
}

export class PostmasterExitedError extends Error {
  constructor(
    readonly logTail: string,
    readonly portInUse: boolean,
  ) {
    super(`embedded postgres exited during start-up:\n${logTail}`);
  }
}

function logTail(path: string, fromOffset = 0, bytes = 3000): string {
  try {
    return readFileSync(path).subarray(fromOffset).toString('utf8').slice(-bytes);
  } catch {
    return '';
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Spawns the postmaster ourselves, `detached` (its own session and process group) so a Ctrl-C
 * sent to the terminal's foreground group does not kill it mid-drain; the gateway stops it last.
 * Output goes to `<dataDir>/pg.log`, which outlives the Node process (a pipe would not).
 */
export function spawnPostmaster(binary: string, paths: ClusterPaths, port: number, ids: UserIds | undefined): Postmaster {
  const logOffset = fileSize(paths.logFile);
  const fd = openSync(paths.logFile, 'a', 0o640);
  try {
    const child = spawn(
      binary,
      [
        '-D', paths.pgData,
        '-p', String(port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        '-c', 'max_connections=200',
      ],
      { detached: true, stdio: ['ignore', fd, fd], ...(ids ? { uid: ids.uid, gid: ids.gid } : {}) },
    );
    if (child.pid === undefined) throw new Error(`could not spawn ${binary}`);
    child.unref();
    return { child, pid: child.pid, port, logOffset };
  } finally {
    closeSync(fd);
  }
}

/** Resolves when the server accepts a login; rejects if the postmaster exits first. */
export async function waitUntilReady(pm: Postmaster, password: string, paths: ClusterPaths, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pm.child.exitCode !== null || pm.child.signalCode !== null) {
      const tail = logTail(paths.logFile, pm.logOffset);
      throw new PostmasterExitedError(tail, /could not bind|Address already in use/i.test(tail));
    }
    const client = new Client({ host: '127.0.0.1', port: pm.port, user: 'postgres', password, database: 'postgres', connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch {
      await sleep(40);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`embedded postgres did not accept connections within ${timeoutMs} ms:\n${logTail(paths.logFile, pm.logOffset)}`);
}

/** Creates `name` when it does not exist yet (CREATE DATABASE cannot run inside IF NOT EXISTS). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created concurrently
      });
    }
  } finally {
    await client.end();
  }
}

/** Resolves true when the child exits within `ms`; the timer is ref'd so the loop waits for it. */
function exitWithin(pm: Postmaster, ms: number): Promise<boolean> {
  if (pm.child.exitCode !== null || pm.child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      pm.child.removeListener('exit', onExit);
      resolve(false);
    }, ms);
    pm.child.once('exit', onExit);
  });
}

/**
 * Smart shutdown first (SIGTERM: sessions still closing, e.g. pools just ended, finish cleanly),
 * then fast shutdown (SIGINT: remaining sessions are disconnected), then immediate/kill.
 */
export async function stopChildPostmaster(pm: Postmaster): Promise<void> {
  if (await exitWithin(pm, 0)) return;
  trySignal(pm.pid, 'SIGTERM');
  if (await exitWithin(pm, 1_000)) return;
  trySignal(pm.pid, 'SIGINT');
  if (await exitWithin(pm, 10_000)) return;
  await stopPostmaster(pm.pid, 0);
}
