import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { portsFree } from '../support/ports';
import { ROOT, startGateway, type GatewayProcess } from '../support/gateway-process';

const run = promisify(execFile);

/** The README's quick-start block: the first `sh` block that loads the key. */
function quickStartBlock(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes('export API_KEY='));
  assert.ok(block, 'the README has a quick-start block that loads the key');
  return block;
}

/** Logical lines: a line ending in `\` continues on the next. */
function commands(block: string): string[] {
  return block.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * Issue 13: every example of the README's quick start works as written after `npm start` (embedded defaults, the
 * default port 8080, the key from `.data/bootstrap.json`), and so do the calls the banner prints.
 */
describe('README quick start, run by its exact text', () => {
  let gw: GatewayProcess;
  let cwd: string;

  before(async () => {
    if (!(await portsFree(8080))) return; // each test then skips, saying why
    cwd = mkdtempSync(join(tmpdir(), 'gw-readme-'));
    gw = await startGateway({ INFERENCE_PORT: '8080', DATA_DIR: join(cwd, '.data') }, 120_000);
  });

  after(async () => {
    if (gw) assert.equal(await gw.stop(), 0, gw.output());
  });

  it('the quick-start calls answer with a completion and a message', async (t) => {
    if (!gw) return t.skip('port 8080 is taken on this machine');
    const lines = commands(quickStartBlock());
    const exports = lines.filter((l) => l.startsWith('export '));
    const calls = lines.filter((l) => !l.startsWith('export '));
    assert.equal(calls.length, 2, lines.join('\n'));
    const answers = [];
    for (const call of calls) {
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', [...exports, call].join('\n')], { cwd });
      answers.push(JSON.parse(stdout) as { object?: string; type?: string; error?: unknown });
    }
    assert.equal(answers[0].object, 'chat.completion', JSON.stringify(answers[0]));
    assert.equal(answers[1].type, 'message', JSON.stringify(answers[1]));
  });

  it("the banner's calls work as printed, and it offers no Claude Code command the tiny model cannot serve", async (t) => {
    if (!gw) return t.skip('port 8080 is taken on this machine');
    const banner = gw.output();
    const tryIt = banner.slice(banner.indexOf('Try it:'));
    const calls = commands(tryIt.slice(tryIt.indexOf('\n') + 1)).filter((l) => l.startsWith('curl '));
    assert.equal(calls.length, 2, banner);
    for (const call of calls) {
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', call], { cwd });
      const body = JSON.parse(stdout) as { error?: unknown; choices?: unknown; content?: unknown };
      assert.equal(body.error, undefined, stdout);
      assert.ok(body.choices ?? body.content, stdout);
    }
    assert.doesNotMatch(banner, /claude -p|claude-code -p/);
    assert.match(banner, /Claude Code {3}: needs a model with a context of 64k tokens or more/);
  });
});
