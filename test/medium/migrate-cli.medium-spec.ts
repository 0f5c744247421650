import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';

const CLI = resolve(__dirname, '../../libs/database/src/cli/migrate.js');

function runCli(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const base = { ...process.env };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'DATA_DIR', 'EMBEDDED_PG_PORT']) delete base[k];
  const child = spawn(process.execPath, [CLI], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((ok) => child.once('exit', (code) => ok({ code, out })));
}

const postmastersOn = (dir: string) =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    });

describe('migrate CLI (npm run migrate)', () => {
  let dataDir: string;
  let db: TestDatabase;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-migrate-cli-'));
    db = await createTestDatabase({ adminUrl: process.env.TEST_PG_ADMIN_URL, migrate: false });
  });

  after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await db?.drop();
  });

  it('without DATABASE_URL: starts the embedded cluster, migrates, stops it and exits 0', async () => {
    const first = await runCli({ DATA_DIR: dataDir });
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, /applied \d+ migration\(s\): CreateAuditEvent1795324237818/);
    assert.deepEqual(postmastersOn(join(dataDir, 'pg')), []);
    const second = await runCli({ DATA_DIR: dataDir });
    assert.equal(second.code, 0, second.out);
    assert.match(second.out, /no pending migrations/);
  });

  it('with DATABASE_URL: migrates that database', async () => {
    const run = await runCli({ DATABASE_URL: db.url, DATA_DIR: join(dataDir, 'unused') });
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /applied \d+ migration\(s\)/);
  });

  it('exits non-zero when the database is unreachable', async () => {
    const run = await runCli({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/gw_test_none' });
    assert.equal(run.code, 1);
    assert.match(run.out, /migrate failed: .*ECONNREFUSED/s);
  });
});
