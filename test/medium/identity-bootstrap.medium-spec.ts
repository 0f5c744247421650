import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createDataSource } from '@gw/database';
import { bootstrapOrganization, type BootstrapResult } from '@gw/identity';
import type { DataSource } from 'typeorm';
import { createTestDatabase, truncateTables, type TestDatabase } from '../../libs/database/src/testing';
import { createIdentityServices } from '../../libs/identity/src/testing';

const CLI = resolve(__dirname, '../../libs/identity/src/cli/bootstrap.js');

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'DATA_DIR', 'EMBEDDED_PG_PORT']) delete base[k];
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok) => child.once('exit', (code) => ok({ code, stdout, stderr })));
}

describe('bootstrapOrganization', () => {
  let db: TestDatabase;
  let ds: DataSource;

  before(async () => {
    db = await createTestDatabase({ adminUrl: process.env.TEST_PG_ADMIN_URL });
    ds = await createDataSource(db.url, 4).initialize();
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('creates organisation, owner and key in one go; the password logs in and the key authenticates', async () => {
    const result = (await bootstrapOrganization(ds, { org: 'Acme', email: 'Root@Acme.test', credits: 100 })) as BootstrapResult;
    assert.equal(result.organization.name, 'Acme');
    assert.deepEqual(result.user, { id: result.user.id, email: 'root@acme.test', role: 'owner' });
    assert.match(result.password, /^[0-9A-Za-z]{24}$/);
    assert.match(result.api_key.key, /^ak_[0-9A-Za-z]{32}$/);
    assert.equal(result.credits, null, 'no ledger yet');
    const svc = createIdentityServices(ds);
    assert.equal((await svc.login.login('root@acme.test', result.password, '127.0.0.1')).token_type, 'Bearer');
    const principal = await svc.apiKeys.authenticate(result.api_key.key);
    assert.equal(principal?.orgId, result.organization.id);
    assert.equal(principal?.role, 'owner');
  });

  it('passes credits to the grantCredits hook inside the transaction', async () => {
    await truncateTables(ds, ['api_key', 'app_user', 'organization']);
    const result = (await bootstrapOrganization(ds, {
      org: 'Beta',
      email: 'b@beta.test',
      password: 'a long enough password',
      credits: 7,
      grantCredits: async ({ credits, orgId, manager }) => {
        const [row] = await manager.query('SELECT count(*)::int AS n FROM organization WHERE id = $1', [orgId]);
        return row.n === 1 ? credits : -1;
      },
    })) as BootstrapResult;
    assert.equal(result.credits, 7);
    assert.equal(result.password, 'a long enough password');
  });

  it('rolls back everything when a step fails', async () => {
    await truncateTables(ds, ['api_key', 'app_user', 'organization']);
    await assert.rejects(bootstrapOrganization(ds, { org: 'Gamma', email: 'g@gamma.test', credits: 1, grantCredits: () => Promise.reject(new Error('ledger down')) }));
    const [row] = await ds.query('SELECT (SELECT count(*) FROM organization)::int + (SELECT count(*) FROM app_user)::int AS n');
    assert.equal(row.n, 0);
  });

  it('with ifEmpty: creates on an empty database, then skips (also under concurrency)', async () => {
    await truncateTables(ds, ['api_key', 'app_user', 'organization']);
    const results = await Promise.all(
      [1, 2, 3].map((i) => bootstrapOrganization(ds, { org: `Org ${i}`, email: `o${i}@x.test`, ifEmpty: true })),
    );
    assert.equal(results.filter((r) => 'skipped' in r).length, 2);
    assert.deepEqual(await bootstrapOrganization(ds, { org: 'Again', email: 'again@x.test', ifEmpty: true }), { skipped: true });
    const [row] = await ds.query('SELECT count(*)::int AS n FROM organization');
    assert.equal(row.n, 1);
  });

  it('rejects bad input naming the field', async () => {
    await assert.rejects(bootstrapOrganization(ds, { org: ' ', email: 'a@b.c' }), { status: 400, param: 'org' });
    await assert.rejects(bootstrapOrganization(ds, { org: 'x', email: 'nope' }), { status: 400, param: 'email' });
    await assert.rejects(bootstrapOrganization(ds, { org: 'x', email: 'a@b.c', password: 'short' }), { status: 400, param: 'password' });
    await assert.rejects(bootstrapOrganization(ds, { org: 'x', email: 'a@b.c', credits: -1 }), { status: 400, param: 'credits' });
  });
});

describe('bootstrap CLI', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ adminUrl: process.env.TEST_PG_ADMIN_URL, migrate: false });
  });
  after(async () => db?.drop());

  it('migrates, creates and prints JSON; --if-empty prints {"skipped":true} the second time', async () => {
    const first = await runCli(['--org', 'Acme', '--email', 'admin@acme.test', '--credits', '50', '--if-empty'], { DATABASE_URL: db.url });
    assert.equal(first.code, 0, first.stderr);
    const out = JSON.parse(first.stdout) as BootstrapResult;
    assert.equal(out.organization.name, 'Acme');
    assert.equal(out.user.email, 'admin@acme.test');
    assert.equal(out.user.role, 'owner');
    assert.match(out.api_key.key, /^ak_[0-9A-Za-z]{32}$/);
    assert.equal(out.api_key.preview, `${out.api_key.key.slice(0, 7)}…${out.api_key.key.slice(-4)}`);
    assert.equal(typeof out.password, 'string');
    assert.equal(out.credits, 50, 'the starting grant is a ledger entry');
    assert.ok(!first.stderr.includes(out.api_key.key), 'the key is printed on stdout only');

    const second = await runCli(['--org', 'Other', '--email', 'other@acme.test', '--if-empty'], { DATABASE_URL: db.url });
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(JSON.parse(second.stdout), { skipped: true });
  });

  it('exits 1 with usage when arguments are missing', async () => {
    const run = await runCli(['--org', 'Acme'], { DATABASE_URL: db.url });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /usage: bootstrap/);
  });
});
