import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { runningGatewayDatabase } from '../../libs/database/src/cli/cli-database';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';

/** The built CLIs, beside this file in whichever dist directory it was built into. */
const DIST = resolve(__dirname, '../..');
const OPS = join(DIST, 'apps/cli/ops.js');
const BOOTSTRAP = join(DIST, 'libs/identity/src/cli/bootstrap.js');
const JWT_SECRET = 'medium-test-secret-0123456789abcdefghijklmnopqrstuvwxyz';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a CLI with only `env` (plus PATH, HOME and a JWT secret): nothing of the caller's shell leaks in. */
function cli(script: string, env: Record<string, string>, args: string[]): Promise<Run> {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', JWT_SECRET };
  return new Promise((done) =>
    execFile(process.execPath, [script, ...args], { env: { ...base, ...env }, timeout: 30_000 }, (err, stdout, stderr) =>
      done({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/**
 * Issue 13 (ops CLI and the bootstrap traps), what the e2e spec (test/e2e/ops-cli) leaves out or needs a whole
 * gateway for: the runtime.json resolution with a live pid, project keys, a grant to an unknown organisation,
 * and the bootstrap CLI's argument checks.
 */
describe('ops CLI (real Postgres, no gateway)', () => {
  let db: TestDatabase;
  let pg: Client;
  let dataDir: string;
  let env: Record<string, string>;
  const ops = (args: string[], extra: Record<string, string> = env) => cli(OPS, extra, args);
  const one = async <T>(sql: string, params: unknown[]): Promise<T> => (await pg.query(sql, params)).rows[0] as T;

  before(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    dataDir = mkdtempSync(join(tmpdir(), 'gw-ops-cli-'));
    env = { DATABASE_URL: db.url, DATA_DIR: dataDir };
  });
  after(async () => {
    await pg?.end();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("without DATABASE_URL, a live gateway's runtime.json is used (ops and the bootstrap CLI); a dead or broken one is not", async () => {
    const gatewayDir = mkdtempSync(join(tmpdir(), 'gw-ops-runtime-'));
    try {
      const runtime = join(gatewayDir, 'runtime.json');
      writeFileSync(runtime, JSON.stringify({ pid: process.pid, databaseUrl: db.url }));
      assert.equal(runningGatewayDatabase(gatewayDir), db.url);
      const r = await ops(['orgs', 'create', '--org', 'Beside', '--email', 'o@beside.test', '--credits', '0'], { DATA_DIR: gatewayDir });
      assert.equal(r.code, 0, r.stderr);
      const org = JSON.parse(r.stdout) as { organization: { id: string }; credits: number };
      assert.equal(org.credits, 0);
      assert.equal((await one<{ n: number }>('SELECT count(*)::int AS n FROM organization WHERE id = $1', [org.organization.id])).n, 1);

      const legacy = await cli(BOOTSTRAP, { DATA_DIR: gatewayDir }, ['--org', 'Legacy', '--email', 'o@legacy.test', '--credits', '0']);
      assert.equal(legacy.code, 0, legacy.stderr);
      assert.equal((JSON.parse(legacy.stdout) as { credits: number }).credits, 0);
      assert.equal((await one<{ n: number }>("SELECT count(*)::int AS n FROM organization WHERE name = 'Legacy'", [])).n, 1);

      writeFileSync(runtime, JSON.stringify({ pid: 2 ** 22 + 1, databaseUrl: db.url })); // above pid_max: never alive
      assert.equal(runningGatewayDatabase(gatewayDir), undefined);
      writeFileSync(runtime, '{"pid": ');
      assert.equal(runningGatewayDatabase(gatewayDir), undefined);
    } finally {
      rmSync(gatewayDir, { recursive: true, force: true });
    }
  });

  it('keys create --project-id makes a project key (history kept), revoke goes through the project; secrets only on stdout', async () => {
    const created = JSON.parse((await ops(['orgs', 'create', '--org', 'Proj', '--email', 'o@proj.test'])).stdout) as { organization: { id: string } };
    const orgId = created.organization.id;
    await pg.query("INSERT INTO project (org_id, project_id, name) VALUES ($1, 'proj_ci', 'CI')", [orgId]);
    const r = await ops(['keys', 'create', '--org-id', orgId, '--project-id', 'proj_ci', '--label', 'ci']);
    assert.equal(r.code, 0, r.stderr);
    const k = JSON.parse(r.stdout) as { api_key: { id: string; key: string }; project_id: string };
    assert.match(k.api_key.key, /^ak_/);
    assert.ok(!r.stderr.includes(k.api_key.key));
    const row = await one<{ project_id: string; user_id: string | null }>('SELECT project_id, user_id FROM api_key WHERE id = $1', [k.api_key.id]);
    assert.deepEqual(row, { project_id: 'proj_ci', user_id: null });

    const revoked = await ops(['keys', 'revoke', '--key-id', k.api_key.id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.ok((JSON.parse(revoked.stdout) as { api_key: { revokedAt: string | null } }).api_key.revokedAt);
    const history = await pg.query<{ edit_type: string; actor_kind: string; actor_id: string }>(
      "SELECT edit_type, actor_kind, actor_id FROM policy_history WHERE org_id = $1 AND project_id = 'proj_ci' ORDER BY id",
      [orgId],
    );
    assert.deepEqual(history.rows, [
      { edit_type: 'key_create', actor_kind: 'system', actor_id: 'ops-cli' },
      { edit_type: 'key_revoke', actor_kind: 'system', actor_id: 'ops-cli' },
    ]);

    const missing = await ops(['keys', 'create', '--org-id', orgId, '--project-id', 'proj_nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /project_id: No project 'proj_nope'/);
  });

  it('refuses what would go wrong: a grant to an unknown organisation, a taken email (exit 1), bad arguments (exit 2)', async () => {
    const ghost = '00000000-0000-4000-8000-00000000beef';
    const grant = await ops(['credits', 'grant', '--org-id', ghost, '--credits', '5']);
    assert.equal(grant.code, 1);
    assert.match(grant.stderr, new RegExp(`no organisation ${ghost}`));
    assert.equal(grant.stdout, '');
    assert.equal((await one<{ n: number }>('SELECT count(*)::int AS n FROM credit_account WHERE org_id = $1', [ghost])).n, 0, 'no orphan account');

    await ops(['orgs', 'create', '--org', 'Dup', '--email', 'dup@dup.test']);
    const dup = await ops(['orgs', 'create', '--org', 'Dup 2', '--email', 'DUP@dup.test']);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /email: A user with this email already exists/);

    const usage: Array<[string[], RegExp]> = [
      [['keys', 'create', '--org-id', ghost, '--project-id', 'Proj-1'], /--project-id must be proj_ followed by/],
      [['keys', 'create', '--org-id', ghost, '--project-id', 'proj_a', '--email', 'a@b.test'], /--email and --project-id exclude each other/],
    ];
    for (const [args, message] of usage) {
      const r = await ops(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });

  it('the bootstrap CLI refuses credits that are not digits, and still creates with 0', async () => {
    for (const credits of ['', '-1', '1.5', '1e3', '0x10', 'ten']) {
      const r = await cli(BOOTSTRAP, env, ['--org', 'Bad', '--email', 'bad@bad.test', `--credits=${credits}`]);
      assert.equal(r.code, 1, `--credits ${JSON.stringify(credits)}: ${r.stdout}`);
      assert.match(r.stderr, /credits: must be an integer >= 0/);
    }
    assert.equal((await one<{ n: number }>("SELECT count(*)::int AS n FROM organization WHERE name = 'Bad'", [])).n, 0);
  });
});
