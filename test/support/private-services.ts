import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * Private Redis and Postgres for fault tests: processes this test owns and may pause, kill and restart,
 * so the machine's shared services (used by every other suite) are never touched.
 */

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export const accepting = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

const exited = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;

export async function signalAndWait(c: ChildProcess | null, signal: NodeJS.Signals, timeoutMs = 15_000): Promise<void> {
  if (!c || exited(c)) return;
  const done = new Promise((r) => c.once('exit', r));
  c.kill(signal);
  const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
  await done;
  clearTimeout(timer);
}

/** A redis-server child; without `appendfsync` it keeps nothing on disk, so a kill loses its data. */
export interface PrivateRedis {
  readonly url: string;
  /**
   * `appendfsync`: run with an append-only file (in a private directory kept across restarts), fsynced
   * on every write (`always`) or once a second (`everysec`); a restart then replays it.
   */
  start(opts?: { appendfsync?: 'always' | 'everysec' }): Promise<void>;
  /** SIGSTOP: connections stay open and commands hang, as with a frozen host or a long fork. */
  pause(): void;
  /** SIGCONT after `pause()`. */
  resume(): void;
  /** SIGKILL and wait for the exit; `start()` again brings up Redis on the same port (empty without an AOF). */
  kill(): Promise<void>;
  /** Kills it and removes its AOF directory. */
  destroy(): Promise<void>;
}

export function privateRedis(port: number): PrivateRedis {
  let child: ChildProcess | null = null;
  let dir: string | undefined;
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start(opts = {}) {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--daemonize', 'no'];
      if (opts.appendfsync) {
        dir ??= mkdtempSync('/tmp/gw-faults-redis-');
        args.push('--appendonly', 'yes', '--appendfsync', opts.appendfsync, '--dir', dir);
      } else {
        args.push('--appendonly', 'no');
      }
      child = spawn('redis-server', args, { stdio: 'ignore' });
      await waitFor(() => accepting(port), 10_000, `redis-server did not listen on ${port}`);
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async kill() {
      const c = child;
      child = null;
      await signalAndWait(c, 'SIGKILL'); // SIGKILL also ends a stopped process
    },
    async destroy() {
      await redis.kill();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return redis;
}

/** Debian's server binaries (`/usr/lib/postgresql/<v>/bin`), newest version first. */
function debianPostgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin/postgres'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error('no Postgres server binaries under /usr/lib/postgresql');
  return join(root, versions[0], 'bin');
}

/** As root, Postgres refuses to run: use the `postgres` account (as the embedded mode does). */
function postgresIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

export interface PrivatePostgres {
  readonly port: number;
  /** URL of database `db` (trust auth, user postgres). */
  url(db: string): string;
  /** Creates database `db` (dropping an old one). */
  createDatabase(db: string): Promise<string>;
  start(): Promise<void>;
  /** `immediate` = SIGQUIT (a crash: no checkpoint, recovery at the next start); `fast` = SIGINT. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops the server and removes its data directory. */
  destroy(): Promise<void>;
}

/** A throw-away cluster in /tmp: `initdb` once, then a postmaster this process can stop and start on one port. */
export async function privatePostgres(port: number): Promise<PrivatePostgres> {
  const bin = debianPostgresBin();
  const ids = postgresIds();
  const dir = mkdtempSync('/tmp/gw-faults-pg-');
  if (ids) chownSync(dir, ids.uid, ids.gid);
  execFileSync(join(bin, 'initdb'), ['-D', dir, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C', '--no-sync'], {
    ...(ids ?? {}),
    env: { LC_ALL: 'C', PATH: process.env.PATH ?? '' },
    stdio: 'ignore',
  });
  let child: ChildProcess | null = null;
  // Never leave a postmaster behind a crashed test run.
  const onExit = () => void child?.kill('SIGQUIT');
  process.on('exit', onExit);
  const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const pg: PrivatePostgres = {
    port,
    url,
    async createDatabase(db) {
      const admin = new Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
        await admin.query(`CREATE DATABASE "${db}"`);
      } finally {
        await admin.end();
      }
      return url(db);
    },
    async start() {
      // fsync=off: the machine does not crash in these tests, only the server, so the page cache keeps commits.
      const args = ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300', '-c', 'fsync=off'];
      child = spawn(join(bin, 'postgres'), args, { ...(ids ?? {}), stdio: 'ignore' });
      await waitFor(() => canLogin(url('postgres')), 30_000, `private postgres did not accept logins on ${port}`);
    },
    async stop(mode = 'immediate') {
      const c = child;
      child = null;
      await signalAndWait(c, mode === 'immediate' ? 'SIGQUIT' : 'SIGINT');
    },
    async destroy() {
      await pg.stop('fast');
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return pg;
}

async function canLogin(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}
