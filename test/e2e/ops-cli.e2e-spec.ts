import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { freshDatabase } from '../support/databases';
import { DIST, ROOT, startGateway, TEST_JWT_SECRET, type GatewayProcess } from '../support/gateway-process';
import { query } from '../support/metering-e2e';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ops <args>` (the built CLI) with only `env` (plus PATH and the test JWT secret). */
function ops(env: Record<string, string>, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(DIST, 'apps/cli/ops.js'), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', JWT_SECRET: TEST_JWT_SECRET, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Issue 13: the ops CLI, its exit codes and JSON, and the first-run traps of the bootstrap CLI. */
describe('ops CLI (real Postgres)', () => {
  let dbUrl: string;
  let env: Record<string, string>;

  before(async () => {
    dbUrl = await freshDatabase('gw_e2e_ops_cli_test');
    env = { DATABASE_URL: dbUrl };
  });

  it('orgs create (0 credits), keys create/revoke, credits grant, audit verify: one JSON each, secrets on stdout only', async () => {
    const created = await ops(env, ['orgs', 'create', '--org', 'Zero Inc', '--email', 'owner@zero.test', '--credits', '0']);
    assert.equal(created.code, 0, created.stderr);
    const org = JSON.parse(created.stdout) as { organization: { id: string }; api_key: { key: string }; credits: number; password: string };
    assert.equal(org.credits, 0, 'an organisation with no credits is legitimate');
    assert.ok(!created.stderr.includes(org.api_key.key) && !created.stderr.includes(org.password));

    const key = await ops(env, ['keys', 'create', '--org-id', org.organization.id, '--label', 'ci']);
    assert.equal(key.code, 0, key.stderr);
    const k = JSON.parse(key.stdout) as { api_key: { id: string; key: string; label: string } };
    assert.match(k.api_key.key, /^ak_/);
    assert.equal(k.api_key.label, 'ci');
    assert.ok(!key.stderr.includes(k.api_key.key));
    const [stored] = await query<{ n: string }>(dbUrl, 'SELECT count(*) AS n FROM api_key WHERE id = $1 AND revoked_at IS NULL', [k.api_key.id]);
    assert.equal(Number(stored.n), 1);

    const revoked = await ops(env, ['keys', 'revoke', '--key-id', k.api_key.id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const [gone] = await query<{ n: string }>(dbUrl, 'SELECT count(*) AS n FROM api_key WHERE id = $1 AND revoked_at IS NOT NULL', [k.api_key.id]);
    assert.equal(Number(gone.n), 1);

    const grant = await ops(env, ['credits', 'grant', '--org-id', org.organization.id, '--credits', '250']);
    assert.equal(grant.code, 0, grant.stderr);
    assert.equal((JSON.parse(grant.stdout) as { balance: number }).balance, 250);

    const verify = await ops(env, ['audit', 'verify', '--org-id', org.organization.id]);
    assert.equal(verify.code, 0, verify.stderr);
    assert.equal((JSON.parse(verify.stdout) as { ok: boolean }).ok, true);
  });

  it('bad arguments exit 2 with a precise message; a failed operation exits 1', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['orgs', 'create', '--org', 'x', '--email', 'x@x.test', '--credits', '-1'], /--credits must be an integer >= 0/],
      [['orgs', 'create', '--org', 'x', '--email', 'x@x.test', '--credits', '1.5'], /--credits must be an integer >= 0/],
      [['credits', 'grant', '--org-id', 'not-a-uuid', '--credits', '5'], /--org-id must be a UUID/],
      [['credits', 'grant', '--org-id', '00000000-0000-4000-8000-000000000000', '--credits', '0'], /--credits must be an integer >= 1/],
      [['keys', 'revoke'], /required option '--key-id <uuid>' not specified/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await ops(env, args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
    const missing = await ops(env, ['keys', 'revoke', '--key-id', '00000000-0000-4000-8000-000000000000']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no API key 00000000-0000-4000-8000-000000000000/);
  });

  it('doctor: ok on a good setup; names the failing database and how to fix it', async () => {
    const fresh = { DATABASE_URL: await freshDatabase('gw_e2e_ops_doctor_test') };
    const pending = JSON.parse((await ops(fresh, ['doctor'])).stdout) as { checks: Array<{ name: string; ok: boolean }> };
    assert.equal(pending.checks.find((c) => c.name === 'migrations')?.ok, false, 'a new database has pending migrations');
    const migrated = await ops(fresh, ['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.ok((JSON.parse(migrated.stdout) as { applied: string[] }).applied.length > 0);
    const good = await ops(fresh, ['doctor']);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    const report = JSON.parse(good.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean }> };
    assert.deepEqual(report.checks.filter((c) => !c.ok), []);
    assert.deepEqual(report.checks.slice(0, 4).map((c) => c.name), ['config', 'database', 'migrations', 'clock skew']);

    const bad = await ops({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', UPSTREAM_BASE_URL: 'http://127.0.0.1:9/v1' }, ['doctor']);
    assert.equal(bad.code, 1);
    const failed = (JSON.parse(bad.stdout) as { checks: Array<{ name: string; ok: boolean; fix?: string }> }).checks.filter((c) => !c.ok);
    assert.deepEqual(failed.map((c) => c.name).sort(), ['database', "model provider 'upstream' (openai-compatible)"].sort());
    assert.ok(failed.every((c) => c.fix), JSON.stringify(failed));
    assert.match(bad.stderr, /fix: start Postgres, or fix DATABASE_URL/);

    const badConfig = await ops({ DATABASE_URL: 'not a url', RATE_LIMIT_KEY: 'lots' }, ['doctor']);
    assert.equal(badConfig.code, 1);
    const cfg = (JSON.parse(badConfig.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks;
    assert.deepEqual([cfg.length, cfg[0].name, cfg[0].ok], [1, 'config', false]);
    assert.match(cfg[0].detail, /RATE_LIMIT_KEY/);
  });

  describe('against a running embedded gateway (the bootstrap trap)', () => {
    let gw: GatewayProcess;
    before(async () => {
      gw = await startGateway({}, 120_000);
    });
    after(async () => {
      assert.equal(await gw?.stop(), 0);
    });

    it("orgs create and the bootstrap CLI work while it runs, on its database (runtime.json), and the key is served", async () => {
      const embedded = { DATA_DIR: gw.dataDir };
      const r = await ops(embedded, ['orgs', 'create', '--org', 'Beside', '--email', 'o@beside.test', '--credits', '1000']);
      assert.equal(r.code, 0, r.stderr);
      const org = JSON.parse(r.stdout) as { organization: { id: string }; api_key: { key: string } };
      const [row] = await query<{ n: string }>(gw.info.databaseUrl!, 'SELECT count(*) AS n FROM organization WHERE id = $1', [org.organization.id]);
      assert.equal(Number(row.n), 1, "created in the running gateway's database");
      const client = new OpenAI({ baseURL: `${gw.info.inferenceUrl}/v1`, apiKey: org.api_key.key, maxRetries: 0 });
      const res = await client.chat.completions.create({ model: 'abliterated-model', messages: [{ role: 'user', content: 'Once' }], max_tokens: 4 });
      assert.equal(res.object, 'chat.completion');

      const legacy = await new Promise<Run>((resolve) =>
        execFile(process.execPath, [join(DIST, 'libs/identity/src/cli/bootstrap.js'), '--org', 'Legacy', '--email', 'o@legacy.test', '--credits', '0'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...embedded } }, (err, stdout, stderr) =>
          resolve({ code: err ? 1 : 0, stdout, stderr }),
        ),
      );
      assert.equal(legacy.code, 0, legacy.stderr);
    });
  });
});
