import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { assertClientsInstalled, describeRun, parseClaudeResult, runClaude, runCodex } from '../support/cli-clients';
import { freshDatabase, freshRedis } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';

const CLAUDE_MODEL = 'claude-opus-5-5';
const CODEX_MODEL = 'fake-model';
const SECRET_MAIL = 'dana.ortiz@example.com';
const POLICY = { policy_id: 'cli-redact', name: 'CLI redaction', config: { rules: { redact_pii: true } } };

/**
 * Issue 9: the real Claude Code and Codex CLIs through the policy surface (`/policy/messages`, `/policy/v1/responses`)
 * with a stored redacting policy selected by header (`X-Policy-Id`: Claude Code's ANTHROPIC_CUSTOM_HEADERS, Codex's
 * `http_headers`). The tool loop still works, and no upstream request ever holds the e-mail address.
 */
describe('real CLI clients through the policy surface with a redacting policy', () => {
  let ccFake: FakeUpstream;
  let codexFake: FakeUpstream;
  let gw: GatewayProcess;
  let key: string;
  let work: string;

  before(async () => {
    assertClientsInstalled();
    work = mkdtempSync(join(tmpdir(), 'cli-policy-'));
    ccFake = await startFakeUpstream({ toolName: 'Bash', toolArguments: JSON.stringify({ command: `touch ${join(work, 'cc')}`, description: 'marker' }) });
    codexFake = await startFakeUpstream({ toolName: 'exec_command', toolArguments: JSON.stringify({ cmd: `touch ${join(work, 'codex')}` }) });
    const dbUrl = await freshDatabase('gw_e2e_cli_policy_test');
    const provider = (id: string, fake: FakeUpstream) => ({ id, kind: 'openai-compatible', base_url: `${fake.url}/v1`, timeout_ms: 10_000 });
    const catalog = {
      providers: [provider('fake-cc', ccFake), provider('fake-codex', codexFake)],
      models: [
        { id: CLAUDE_MODEL, provider: 'fake-cc', upstream_model: 'fake-model' },
        { id: CODEX_MODEL, provider: 'fake-codex', upstream_model: 'fake-model' },
      ],
    };
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(13), CATALOG_JSON: JSON.stringify(catalog) });
    const boot = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'cli-policy', '--email', 'owner@cli-policy.test', '--credits', '1000000']);
    key = boot.api_key.key;
    const login = await fetch(`${gw.info.controlUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: boot.user.email, password: boot.password }) });
    const { access_token } = (await login.json()) as { access_token: string };
    const saved = await fetch(`${gw.info.controlUrl}/api/policy-gateway/policies`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
      body: JSON.stringify(POLICY),
    });
    assert.equal(saved.status, 201, await saved.text());
  });

  after(async () => {
    const code = await gw?.stop();
    await ccFake?.close();
    await codexFake?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  const upstreamText = (fake: FakeUpstream) => JSON.stringify(fake.requests.map((r) => r.body));

  it('Claude Code → /policy/messages: tool loop works, the upstream sees [EMAIL_1], never the address', async () => {
    const run = await runClaude({
      baseUrl: `${gw.info.inferenceUrl}/policy`,
      key,
      auth: 'api-key',
      cwd: work,
      prompt: `My e-mail is ${SECRET_MAIL}. Create the marker file with the Bash tool, then say what the tool said.`,
      args: ['--allowedTools', 'Bash'],
      env: { ANTHROPIC_CUSTOM_HEADERS: 'X-Policy-Id: cli-redact' },
    });
    const ctx = `${describeRun('claude', run)}\n--- gateway\n${gw.output().slice(-3000)}`;
    assert.equal(run.code, 0, ctx);
    assert.equal(parseClaudeResult(run.stdout)?.is_error, false, ctx);
    assert.ok(existsSync(join(work, 'cc')), `no tool run\n${ctx}`);
    const seen = upstreamText(ccFake);
    assert.ok(!seen.includes(SECRET_MAIL), 'the address never reached the upstream');
    assert.ok(seen.includes('[EMAIL_1]'), 'the placeholder did');
  });

  it('Codex → /policy/v1/responses: tool loop works, the upstream sees [EMAIL_1], never the address', async () => {
    const run = await runCodex({
      baseUrl: `${gw.info.inferenceUrl}/policy/v1`,
      key,
      model: CODEX_MODEL,
      cwd: work,
      prompt: `Reply to ${SECRET_MAIL}: create the marker file, then say what the tool said.`,
      args: ['--sandbox', 'danger-full-access'],
      headers: { 'X-Policy-Id': 'cli-redact' },
    });
    const ctx = `${describeRun('codex', run)}\n--- gateway\n${gw.output().slice(-3000)}`;
    assert.equal(run.code, 0, ctx);
    assert.ok(existsSync(join(work, 'codex')), `no tool run\n${ctx}`);
    const seen = upstreamText(codexFake);
    assert.ok(!seen.includes(SECRET_MAIL), 'the address never reached the upstream');
    assert.ok(seen.includes('[EMAIL_1]'), 'the placeholder did');
  });
});
