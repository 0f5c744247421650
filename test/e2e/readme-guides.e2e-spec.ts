import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { readBootstrap, type Bootstrapped } from '../support/bootstrap';
import { portsFree } from '../support/ports';
import { waitFor } from '../support/private-services';
import { DIST, ROOT, startGateway, type GatewayProcess } from '../support/gateway-process';

const run = promisify(execFile);

/** Shell commands of a block: `\` continues a line, and so does an open single-quoted string (a JSON body). */
export function shellCommands(block: string): string[] {
  const out: string[] = [];
  let cur = '';
  let continued = false;
  for (const line of block.split('\n')) {
    cur = cur ? `${cur}${continued ? ' ' : '\n'}${line}` : line;
    continued = cur.endsWith('\\');
    if (continued) {
      cur = cur.slice(0, -1);
      continue;
    }
    if ((cur.match(/'/g) ?? []).length % 2 === 1) continue;
    const text = cur.replace(/\s+#.*$/, '').trim(); // trailing comments
    if (text && !text.startsWith('#')) out.push(text);
    cur = '';
  }
  return out;
}

/**
 * Issue 13: the auditor's guide and the ops CLI examples of the README, run against a fresh embedded gateway on the
 * default ports. The README's own placeholders are filled from that run (`…` in the login: the first start's owner;
 * any other `"…"`, a value of the reader's own such as a SIEM token: a dummy;
 * `<event_id>`, `<next_cursor>`, `<id>`, `<uuid>`: values the earlier commands returned); `node dist/` is this build's
 * tree; optional arguments (`[--flag …]`) are left out. What cannot run here (psql) is listed, not run.
 */
describe('README guides, run by their text', () => {
  let gw: GatewayProcess | undefined;
  let boot: Bootstrapped;
  let cwd: string;

  before(async () => {
    if (!(await portsFree(8080, 8081))) return;
    cwd = mkdtempSync(join(tmpdir(), 'gw-readme-guides-'));
    gw = await startGateway({ INFERENCE_PORT: '8080', CONTROL_PORT: '8081', DATA_DIR: join(cwd, '.data') }, 120_000);
    boot = readBootstrap(gw.dataDir);
    // Something to audit: one served call.
    await fetch('http://127.0.0.1:8080/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${boot.api_key.key}` },
      body: JSON.stringify({ model: 'abliterated-model', messages: [{ role: 'user', content: 'Once' }], max_tokens: 4 }),
    });
  });

  after(async () => {
    if (gw) assert.equal(await gw.stop(), 0, gw.output());
  });

  it("the auditor's guide (query, export and offline verify, connectors, retention) and the ops CLI", async (t) => {
    if (!gw) return t.skip('port 8080 or 8081 is taken on this machine');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b.includes('localhost:8081/api/') || b.includes('npm run -s ops'));
    assert.ok(blocks.length >= 4, `found ${blocks.length} blocks`);
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: gw.dataDir };
    // `npm run` commands run from the checkout (its relative defaults, e.g. the model path); the rest where they write files.
    const sh = async (cmd: string, at = cwd) => (await run('bash', ['-eo', 'pipefail', '-c', cmd], { cwd: at, env, maxBuffer: 16 << 20 })).stdout;
    const login = (line: string) => line.replace('"email":"…","password":"…"', `"email":"${boot.user.email}","password":"${boot.password}"`);
    await new Promise((r) => setTimeout(r, 1_500)); // the call's audit row
    let prelude = '';
    // Ordered: a key's id before the organisation's, which fills every other `<uuid>`.
    const values: Record<string, string> = { '--key-id <uuid>': '--key-id <key_id>', '<uuid>': boot.organization.id };
    const ran: string[] = [];
    const shown: string[] = [];
    for (const block of blocks) {
      for (const raw of shellCommands(block)) {
        // Optional arguments (`[--credits 5000]`) are left out: the command as written, with only what it requires.
        let cmd = login(raw).replaceAll('"…"', '"readme-placeholder-value-0123456789"').replace(/\s*\[--[^\]]*\](\.\.\.)?/g, '').replaceAll('node dist/', `node ${DIST}/`).replaceAll('npm run -s ops -- ', `node ${DIST}/apps/cli/ops.js `);
        for (const [k, v] of Object.entries(values)) cmd = cmd.replaceAll(k, v);
        if (/<[a-z_]+>|psql /.test(cmd)) {
          shown.push(raw);
          continue;
        }
        if (cmd.startsWith('T=')) {
          prelude = `${cmd}\n`;
          continue;
        }
        const out = await sh(prelude + cmd, raw.startsWith('npm run') ? ROOT : cwd);
        ran.push(raw);
        if (cmd.includes('ops.js keys create')) values['--key-id <uuid>'] = `--key-id ${(JSON.parse(out) as { api_key: { id: string } }).api_key.id}`;
        if (/^curl /.test(cmd) && !cmd.includes('>') && !cmd.includes('| jq') && !cmd.includes('format=csv')) {
          const body = JSON.parse(out) as { error?: unknown; data?: Array<{ event_id: string }>; next_cursor?: string | null; id?: string };
          assert.equal(body.error, undefined, `${raw}\n→ ${out.slice(0, 300)}`);
          if (cmd.includes('/api/audit/events?') && typeof body.data?.[0]?.event_id === 'string') values['<event_id>'] = body.data[0].event_id;
          if (cmd.includes('/api/audit/events?') && body.next_cursor) values['<next_cursor>'] = body.next_cursor;
          if (cmd.includes('/api/audit/connectors') && cmd.includes(' -d ') && body.id) values['<id>'] = body.id;
        }
        if (cmd.includes('/api/audit/events?class=')) {
          // The guide's next lines need an event id and a cursor: the newest event, and the cursor after it.
          // The audit writer is asynchronous: on a loaded machine the served call's row can land after the logins' rows, so
          // wait until there is a second page (a cursor to follow) rather than substituting a missing one.
          let page: { data: Array<{ event_id: string }>; next_cursor: string | null } = { data: [], next_cursor: null };
          const newest = async () => {
            page = JSON.parse(await sh(`${prelude}curl -s "localhost:8081/api/audit/events?limit=1" -H "authorization: Bearer $T"`)) as typeof page;
            return page.data.length === 1 && typeof page.next_cursor === 'string';
          };
          await waitFor(newest, 30_000, 'a second page of audit events');
          values['<event_id>'] = page.data[0].event_id;
          values['<next_cursor>'] = page.next_cursor as string;
        }
      }
    }
    t.diagnostic(`ran ${ran.length} commands; not run: ${shown.length}: ${shown.map((s) => s.slice(0, 60)).join(' | ')}`);
    assert.ok(ran.length >= 20, `ran only ${ran.length}`);
    assert.deepEqual(shown.filter((s) => !s.startsWith('psql ') && !s.includes('replay-dead-letters')), [], 'every other example ran');
  });
});
