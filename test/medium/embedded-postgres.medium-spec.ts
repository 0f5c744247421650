import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, type GatewayConfig } from '@gw/config';
import { MIGRATIONS, checkDatabase, createDataSource, revertLastMigration, runMigrations, schemaDrift, startPostgres } from '@gw/database';
import { Client } from 'pg';

const isRoot = process.getuid?.() === 0;
const databaseBarrel = resolve(__dirname, '../../libs/database/src/index.js');

function processesUsing(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(join(dataDir, 'pg'))) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

const alive = (pid: number) => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
};

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Starts Postgres from a separate Node process, prints its pid, then waits to be killed. */
function startInChild(config: GatewayConfig): Promise<{ child: ReturnType<typeof spawn>; pid: number; url: string }> {
  const code = `require(${JSON.stringify(databaseBarrel)}).startPostgres(${JSON.stringify(config)})
    .then((h) => { process.stdout.write(JSON.stringify({ pid: h.pid, url: h.url }) + '\\n'); setInterval(() => {}, 1e6); })`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) ok({ child, ...(JSON.parse(out) as { pid: number; url: string }) });
    });
    child.once('exit', (c) => fail(new Error(`child exited with ${c}`)));
  });
}

describe('startPostgres (embedded)', () => {
  let dataDir: string;
  let config: GatewayConfig;

  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'gw-pg-spec-'));
    config = loadConfig({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: '0' });
  });

  after(() => {
    for (const pid of processesUsing(dataDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('initialises a cluster, creates the gateway database, and stop() leaves no process', async (t) => {
    const started = Date.now();
    const pg = await startPostgres(config);
    t.diagnostic(`cold start (initdb + start): ${Date.now() - started} ms`);
    try {
      assert.equal(pg.embedded, true);
      assert.match(pg.url, /^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/gateway$/);
      assert.deepEqual(await query(pg.url, 'SELECT current_database() AS db'), [{ db: 'gateway' }]);
      assert.equal(statSync(join(dataDir, 'pg.password')).mode & 0o777, 0o600);
      assert.ok(pg.pid && alive(pg.pid));
      // Own process group: a Ctrl-C sent to ours does not reach the postmaster.
      const pgid = Number(readFileSync(`/proc/${pg.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[3]);
      assert.equal(pgid, pg.pid);
      assert.notEqual(pgid, process.pid);
    } finally {
      await pg.stop();
    }
    assert.deepEqual(processesUsing(dataDir), []);
    await pg.stop(); // idempotent
  });

  it('restarts warm on the existing cluster with the kept password (no initdb)', async (t) => {
    const started = Date.now();
    const pg = await startPostgres(config);
    t.diagnostic(`warm start: ${Date.now() - started} ms`);
    try {
      assert.deepEqual(await query(pg.url, 'SELECT 1 AS one'), [{ one: 1 }]);
    } finally {
      await pg.stop();
    }
  });

  it('applies migrations with no drift, reverts (down) and re-applies them', async () => {
    const pg = await startPostgres(config);
    try {
      const all = MIGRATIONS.map((m) => m.name);
      assert.deepEqual(await runMigrations(pg.url), all);
      assert.deepEqual(await runMigrations(pg.url), []);
      assert.deepEqual(await schemaDrift(pg.url), []);
      await revertLastMigration(pg.url);
      assert.deepEqual(await runMigrations(pg.url), all.slice(-1));
      for (let i = 0; i < all.length; i++) await revertLastMigration(pg.url);
      assert.deepEqual(await query(pg.url, "SELECT to_regclass('audit_event') AS t"), [{ t: null }]);
      assert.deepEqual(await runMigrations(pg.url), all);
      const ds = createDataSource(pg.url, 1);
      await ds.initialize();
      assert.equal((await checkDatabase(ds)).ok, true);
      await ds.destroy();
      assert.equal((await checkDatabase(ds)).ok, false);
    } finally {
      await pg.stop();
    }
  });

  it('recovers from a SIGKILLed owner: stops the orphaned postmaster and starts again', async () => {
    const first = await startInChild(config);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    assert.ok(alive(first.pid), 'the postmaster outlives a SIGKILLed parent');
    const pg = await startPostgres(config);
    try {
      assert.equal(alive(first.pid), false, 'orphan stopped');
      assert.notEqual(pg.pid, first.pid);
      assert.deepEqual(await query(pg.url, 'SELECT 1 AS one'), [{ one: 1 }]);
    } finally {
      await pg.stop();
    }
    assert.deepEqual(processesUsing(dataDir), []);
  });

  it('refuses to take over a cluster whose owner process is alive', async () => {
    const owner = await startInChild(config);
    try {
      await assert.rejects(startPostgres(config), /already running \(postmaster \d+, started by process \d+\)/);
      assert.ok(alive(owner.pid), 'the live owner keeps its postmaster');
    } finally {
      owner.child.kill('SIGTERM'); // no signal handler in the child: dies without 'exit' hooks, like a crash
      await new Promise((r) => owner.child.once('exit', r));
      const pg = await startPostgres(config); // and the next start cleans up after it
      await pg.stop();
    }
    assert.deepEqual(processesUsing(dataDir), []);
  });

  it('with DATABASE_URL, returns it untouched and starts nothing', async () => {
    const url = 'postgres://postgres@127.0.0.1:5432/test';
    const pg = await startPostgres(loadConfig({ DATABASE_URL: url, DATA_DIR: join(dataDir, 'unused') }));
    assert.deepEqual({ url: pg.url, embedded: pg.embedded }, { url, embedded: false });
    await pg.stop();
    assert.throws(() => statSync(join(dataDir, 'unused')));
  });

  it('keeps the cluster where the postgres user can reach it when DATA_DIR lies under a 0700 directory', { skip: !isRoot && 'needs root' }, async () => {
    const locked = mkdtempSync(join(tmpdir(), 'gw-pg-locked-')); // 0700, owned by root
    let alt = '';
    try {
      mkdirSync(join(locked, 'inner'));
      const pg = await startPostgres(loadConfig({ DATA_DIR: join(locked, 'inner') }));
      try {
        alt = readFileSync(join(locked, 'inner', 'pg.location'), 'utf8').trim();
        assert.ok(alt.startsWith('/var/lib/policy-gateway/'), alt);
        assert.ok(statSync(join(alt, 'pg', 'PG_VERSION')).isFile());
        const client = new Client({ connectionString: pg.url });
        await client.connect();
        assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
        await client.end();
      } finally {
        await pg.stop();
      }
    } finally {
      rmSync(locked, { recursive: true, force: true });
      if (alt) rmSync(alt, { recursive: true, force: true });
    }
  });
});
