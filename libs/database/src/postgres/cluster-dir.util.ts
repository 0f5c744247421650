import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cmdline, isAlive, procStat, stopPostmaster } from './process.util';

/** Files of one embedded cluster: `<dataDir>/pg` (PGDATA) and its siblings. */
export interface ClusterPaths {
  dataDir: string;
  pgData: string;
  passwordFile: string;
  ownerFile: string;
  logFile: string;
}

export function clusterPaths(dataDir: string): ClusterPaths {
  return {
    dataDir,
    pgData: join(dataDir, 'pg'),
    passwordFile: join(dataDir, 'pg.password'),
    ownerFile: join(dataDir, 'pg.owner.json'),
    logFile: join(dataDir, 'pg.log'),
  };
}

export const isRoot = (): boolean => process.getuid?.() === 0;

export interface UserIds {
  uid: number;
  gid: number;
}

/** uid/gid of the `postgres` account (undefined when it does not exist). */
export function postgresUserIds(): UserIds | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates DATA_DIR. As root, also lets `postgres` traverse it (o+x, not o+r: nothing becomes
 * listable), since mkdtemp and a 077 umask create it 0700.
 */
export function ensureDataDir(paths: ClusterPaths, log: (msg: string) => void): void {
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o755 });
  const mode = statSync(paths.dataDir).mode & 0o7777;
  if (isRoot() && (mode & 0o001) === 0) {
    chmodSync(paths.dataDir, mode | 0o001);
    log(`embedded postgres: added o+x to ${paths.dataDir} so the postgres user can reach its data`);
  }
}

export const isInitialised = (paths: ClusterPaths): boolean => existsSync(join(paths.pgData, 'PG_VERSION'));

/** A new random superuser password, written 0600 beside PGDATA before `initdb` runs. */
export function createPassword(paths: ClusterPaths): string {
  const password = randomBytes(24).toString('base64url');
  writeFileSync(paths.passwordFile, `${password}\n`, { mode: 0o600 });
  chmodSync(paths.passwordFile, 0o600);
  return password;
}

export function readPassword(paths: ClusterPaths): string {
  if (!existsSync(paths.passwordFile)) {
    throw new Error(
      `Embedded Postgres at ${paths.pgData} is initialised but its password file ${paths.passwordFile} is missing; ` +
        `restore it or remove ${paths.dataDir} to start from an empty database.`,
    );
  }
  return readFileSync(paths.passwordFile, 'utf8').trim();
}

interface OwnerRecord {
  pid: number;
  startTime: string;
  postmasterPid: number;
}

/** Records which Node process owns the running postmaster, to tell an orphan from a live sibling. */
export function writeOwner(paths: ClusterPaths, postmasterPid: number): void {
  const owner: OwnerRecord = { pid: process.pid, startTime: procStat(process.pid)?.startTime ?? '', postmasterPid };
  writeFileSync(paths.ownerFile, JSON.stringify(owner), { mode: 0o600 });
}

export function clearOwner(paths: ClusterPaths): void {
  rmSync(paths.ownerFile, { force: true });
}

function readOwner(paths: ClusterPaths): OwnerRecord | undefined {
  try {
    return JSON.parse(readFileSync(paths.ownerFile, 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
}

function postmasterPidFromFile(paths: ClusterPaths): number | undefined {
  try {
    const pid = Number(readFileSync(join(paths.pgData, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A SIGKILLed (or OOM-killed) Node process leaves its detached postmaster running, holding the
 * data dir. When `postmaster.pid` names a live, non-zombie process whose command line holds our
 * PGDATA and whose owning Node process is gone, stop it. A live owner means another gateway
 * process uses this data dir: refuse rather than kill it.
 */
export async function recoverOrphan(paths: ClusterPaths, log: (msg: string) => void): Promise<void> {
  const pid = postmasterPidFromFile(paths);
  if (pid === undefined) return;
  if (!isAlive(pid)) return; // stale pid file: Postgres removes it itself
  if (!cmdline(pid).includes(paths.pgData)) {
    // The pid was reused by an unrelated process; Postgres would refuse to start on this lock file.
    rmSync(join(paths.pgData, 'postmaster.pid'), { force: true });
    return;
  }
  const owner = readOwner(paths);
  if (owner && owner.postmasterPid === pid && isAlive(owner.pid) && procStat(owner.pid)?.startTime === owner.startTime) {
    const who = owner.pid === process.pid ? 'this process' : `process ${owner.pid}`;
    throw new Error(`Embedded Postgres at ${paths.pgData} is already running (postmaster ${pid}, started by ${who}).`);
  }
  log(`embedded postgres: stopping orphaned postmaster ${pid} left by a previous run`);
  if (!(await stopPostmaster(pid))) throw new Error(`Could not stop orphaned postmaster ${pid} on ${paths.pgData}`);
  clearOwner(paths);
}
