import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream, type RecordedRequest } from '@gw/testing';
import { bootstrapCli } from '../support/bootstrap';
import { assertClientsInstalled, describeRun, parseClaudeResult, runClaude, runCodex, type CliRun } from '../support/cli-clients';
import { freshDatabase, freshRedis, waitForRows } from '../support/databases';
import { startGateway, type GatewayProcess } from '../support/gateway-process';

/** Claude Code's default model id: routing it lets the CLI run without `--model`, as users run it. */
const CLAUDE_MODEL = 'claude-opus-5-5';
const CODEX_MODEL = 'fake-model';

interface ChatMessage {
  role: string;
  content?: unknown;
  tool_call_id?: string;
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
}

/** The fake names the call of its n-th request (1-based) `call_fake_<n>_0`. */
const fakeCallId = (fake: FakeUpstream, req: RecordedRequest): string => `call_fake_${fake.requests.indexOf(req) + 1}_0`;

/** What the gateway sent upstream, for assertion messages. */
const upstreamLog = (fake: FakeUpstream): string =>
  fake.requests.map((r, i) => `#${i + 1} ${r.method} ${r.path} last=${JSON.stringify((r.body as { messages?: unknown[] } | undefined)?.messages?.slice(-2))}`.slice(0, 2000)).join('\n');

/**
 * Asserts one tool round trip as the upstream saw it: the first request got a tool call, the next one
 * carries that call (same id) on the assistant turn and its result as a `tool` message with the same id.
 */
function assertToolRoundTrip(fake: FakeUpstream, from: number, toolName: string, context: string): void {
  const calls = fake.requests.slice(from);
  assert.ok(calls.length >= 2, `expected ≥ 2 upstream requests (tool call, then tool result), got ${calls.length}\n${context}`);
  const [first, second] = calls;
  const id = fakeCallId(fake, first);
  assert.ok(
    (first.body as { tools?: Array<{ function?: { name?: string } }> }).tools?.some((t) => t.function?.name === toolName),
    `first upstream request should offer ${toolName}\n${context}`,
  );
  const messages = (second.body as { messages: ChatMessage[] }).messages;
  const assistant = messages.find((m) => m.role === 'assistant' && m.tool_calls?.some((c) => c.id === id));
  assert.ok(assistant, `second upstream request should replay the assistant tool call ${id}\n${context}`);
  assert.equal(assistant.tool_calls!.find((c) => c.id === id)!.function.name, toolName);
  const result = messages.at(-1)!;
  assert.equal(result.role, 'tool', `second upstream request should end with the tool result\n${context}`);
  assert.equal(result.tool_call_id, id, `tool result should answer call ${id}\n${context}`);
}

/**
 * The real Claude Code and Codex CLIs against a real gateway process, with the fake OpenAI upstream behind it.
 * Production mode (the machine's Postgres and Redis, which test.sh ensures): it starts in about a second,
 * where embedded mode would first initdb a private Postgres, and the CLIs do not care which it is.
 */
describe('real CLI clients e2e (Claude Code → /v1/messages, Codex → /v1/responses)', () => {
  // One fake per CLI: each CLI offers its own tool set, and the fake calls one named tool with fixed arguments.
  let ccFake: FakeUpstream;
  let codexFake: FakeUpstream;
  let gw: GatewayProcess;
  let dbUrl: string;
  let key: string;
  let work: string;
  let ccMarker: string;
  let codexMarker: string;

  before(async () => {
    assertClientsInstalled();
    work = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
    ccMarker = join(work, 'cc-marker');
    codexMarker = join(work, 'codex-marker');
    ccFake = await startFakeUpstream({ toolName: 'Bash', toolArguments: JSON.stringify({ command: `touch ${ccMarker}`, description: 'make marker' }) });
    // Codex's shell tool is `exec_command` and takes `cmd` (client-conformance.md, Codex tool loop).
    codexFake = await startFakeUpstream({ toolName: 'exec_command', toolArguments: JSON.stringify({ cmd: `touch ${codexMarker}` }) });
    dbUrl = await freshDatabase('gw_e2e_cli_clients_test');
    const provider = (id: string, fake: FakeUpstream) => ({ id, kind: 'openai-compatible', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-secret', timeout_ms: 10_000 });
    const catalog = {
      providers: [provider('fake-cc', ccFake), provider('fake-codex', codexFake)],
      models: [
        { id: CLAUDE_MODEL, provider: 'fake-cc', upstream_model: 'fake-model' },
        { id: CODEX_MODEL, provider: 'fake-codex', upstream_model: 'fake-model' },
      ],
    };
    gw = await startGateway({ DATABASE_URL: dbUrl, REDIS_URL: await freshRedis(14), CATALOG_JSON: JSON.stringify(catalog) });
    key = (await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', 'cli-e2e', '--email', 'cli-e2e@example.com', '--credits', '1000000'])).api_key.key;
  });

  after(async () => {
    const code = await gw?.stop();
    await ccFake?.close();
    await codexFake?.close();
    if (work) rmSync(work, { recursive: true, force: true });
    assert.equal(code, 0, `gateway should exit 0 on SIGTERM:\n${gw?.output()}`);
  });

  const context = (name: string, run: CliRun, fake: FakeUpstream): string =>
    `${describeRun(name, run)}\n--- upstream requests\n${upstreamLog(fake)}\n--- gateway output\n${gw.output().slice(-4000)}`;

  for (const auth of ['auth-token', 'api-key'] as const) {
    it(`Claude Code runs a Bash tool through /v1/messages (${auth === 'auth-token' ? 'ANTHROPIC_AUTH_TOKEN → Bearer' : 'ANTHROPIC_API_KEY → x-api-key'})`, async () => {
      rmSync(ccMarker, { force: true });
      const from = ccFake.requests.length;
      const run = await runClaude({
        baseUrl: gw.info.inferenceUrl!,
        key,
        auth,
        cwd: work,
        prompt: 'Create the marker file with the Bash tool, then say what the tool said.',
        args: ['--allowedTools', 'Bash'],
      });
      const ctx = context('claude', run, ccFake);
      assert.equal(run.code, 0, ctx);
      const result = parseClaudeResult(run.stdout);
      assert.ok(result, `stdout is not one JSON result\n${ctx}`);
      assert.equal(result.is_error, false, ctx);
      assert.ok(result.num_turns >= 2, `num_turns ${result.num_turns}: the tool loop did not happen\n${ctx}`);
      assert.match(result.result, /tool said:/, ctx);
      assert.ok(existsSync(ccMarker), `Claude Code did not run the Bash tool (no ${ccMarker})\n${ctx}`);
      assertToolRoundTrip(ccFake, from, 'Bash', ctx);
    });
  }

  it('Codex runs exec_command through /v1/responses', async () => {
    rmSync(codexMarker, { force: true });
    const from = codexFake.requests.length;
    const run = await runCodex({
      baseUrl: `${gw.info.inferenceUrl}/v1`,
      key,
      model: CODEX_MODEL,
      cwd: work,
      prompt: 'Create the marker file, then say what the tool said.',
      args: ['--sandbox', 'danger-full-access'],
    });
    const ctx = context('codex', run, codexFake);
    assert.equal(run.code, 0, ctx);
    assert.match(run.stdout, /tool said:/, ctx);
    assert.ok(existsSync(codexMarker), `Codex did not run exec_command (no ${codexMarker})\n${ctx}`);
    assertToolRoundTrip(codexFake, from, 'exec_command', ctx);
  });

  it('audits every CLI call with surface messages / responses', async () => {
    const expected = { messages: ccFake.requests.length, responses: codexFake.requests.length };
    assert.ok(expected.messages >= 4 && expected.responses >= 2, JSON.stringify(expected));
    const rows = await waitForRows<{ surface: string; model: string; status: string; stream: boolean; input_tokens: number; output_tokens: number }>(
      dbUrl,
      'SELECT surface, model, status, stream, input_tokens, output_tokens FROM audit_event ORDER BY started_at',
      [],
      expected.messages + expected.responses,
    );
    const of = (surface: string) => rows.filter((r) => r.surface === surface);
    assert.equal(of('messages').length, expected.messages, JSON.stringify(rows));
    assert.equal(of('responses').length, expected.responses, JSON.stringify(rows));
    assert.ok(of('messages').every((r) => r.model === CLAUDE_MODEL && r.status === 'ok' && r.stream), JSON.stringify(rows));
    assert.ok(of('responses').every((r) => r.model === CODEX_MODEL && r.status === 'ok' && r.stream), JSON.stringify(rows));
    assert.ok(rows.every((r) => r.input_tokens > 0 && r.output_tokens > 0), JSON.stringify(rows));
  });
});
