import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { publicKeyBase64 } from '../chain/verify/checkpoint-keys';
import { buildChain, newSigner, ORG_A, ORG_B } from '../chain/verify/verify.fixture';
import { exportText, tempFiles } from './export.fixture';

const CLI = join(__dirname, 'verify-audit.js');
const a = buildChain(60, 20, ORG_A);
const b = buildChain(15, 5, ORG_B, a.signer);
const files = tempFiles();
const keyFile = files.write('key.pem', a.signer.publicKeyPem);
const intact = files.write('intact.jsonl', exportText([{ fx: a }, { fx: b }]));

/** Runs the compiled CLI as a user would: exit code, stdout, stderr. */
function run(args: string[]): { code: number; out: string; err: string } {
  try {
    const out = execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, out, err: '' };
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    return { code: x.status, out: x.stdout, err: x.stderr };
  }
}

describe('verify-audit CLI (compiled, in a child process)', () => {
  it('an intact file: exit 0, a summary per org, and JSON with --json', () => {
    const human = run([intact, '--public-key', keyFile]);
    assert.equal(human.code, 0, human.out + human.err);
    assert.match(human.out, new RegExp(`org ${ORG_A}: OK: 60 events \\(seq 1\\.\\.60\\), 3 checkpoint\\(s\\) verified, anchored through seq 60`));
    assert.match(human.out, new RegExp(`org ${ORG_B}: OK: 15 events`));
    assert.match(human.out, /result: OK, every chain verified/);
    const json = run([intact, '--public-key', publicKeyBase64(a.signer.publicKey), '--json']);
    assert.equal(json.code, 0, json.err);
    const reports = JSON.parse(json.out) as Array<{ org_id: string; ok: boolean; checked: number; first_break: null }>;
    assert.deepEqual(reports.map((r) => [r.org_id, r.ok, r.checked, r.first_break]), [[ORG_B, true, 15, null], [ORG_A, true, 60, null]]);
  });

  it('a tampered file: exit 1, the exact seq and reason', () => {
    const lines = exportText([{ fx: a }]).split('\n');
    const victim = JSON.parse(lines[33]) as { seq: number };
    lines[33] = JSON.stringify({ ...victim, http_status: 500 });
    const path = files.write('tampered.jsonl', lines.join('\n'));
    const human = run([path, '--public-key', keyFile]);
    assert.equal(human.code, 1, human.out + human.err);
    assert.match(human.out, new RegExp(`first break at seq ${victim.seq}: hash_mismatch: recomputed entry hash`));
    assert.match(human.out, /result: BROKEN, 1 of 1 org\(s\) failed/);
    const json = JSON.parse(run([path, '--public-key', keyFile, '--json']).out) as Array<{ first_break: { seq: number; reason: string } }>;
    assert.deepEqual(json[0].first_break.seq, victim.seq);
    const forgedKey = run([intact, `--public-key=${newSigner().publicKeyPem}`]);
    assert.equal(forgedKey.code, 1, 'checkpoints by a key other than the one given');
    assert.match(forgedKey.out, /unknown_key/);
  });

  it('a malformed line: exit 2, naming the file and the line', () => {
    const lines = exportText([{ fx: a }]).split('\n');
    lines[9] = '{"org_id": "x", "seq": ';
    const path = files.write('malformed.jsonl', lines.join('\n'));
    const r = run([path, '--public-key', keyFile]);
    assert.equal(r.code, 2);
    assert.match(r.err, new RegExp(`format error: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 10: invalid JSON`));
    assert.equal(r.out, '');
  });

  it('no public key: exit 2 with the usage, and only --trust-embedded-keys lifts it', () => {
    const r = run([intact]);
    assert.equal(r.code, 2);
    assert.match(r.err, /--public-key is required/);
    assert.match(r.err, /usage: verify-audit/);
    assert.deepEqual(JSON.parse(run([intact, '--json']).out), { ok: false, error: '--public-key is required (the key the checkpoints were signed with: GET /api/audit/public-key)' });
    const embedded = run([intact, '--trust-embedded-keys']);
    assert.equal(embedded.code, 0, embedded.err);
    assert.match(embedded.out, /EMBEDDED key\(s\): this shows the file is consistent, not who signed it/);
  });

  it('other usage and I/O errors: exit 2', () => {
    assert.match(run([intact, '--public-key', 'not a key']).err, /--public-key not a key: not a public key/);
    assert.equal(run([intact, '--public-key', keyFile, '--colour']).code, 2);
    assert.equal(run(['--public-key', keyFile]).code, 2);
    assert.equal(run([intact, intact, '--public-key', keyFile]).code, 2);
    const missing = run([join(files.dir, 'nope.jsonl'), '--public-key', keyFile]);
    assert.deepEqual([missing.code, /ENOENT/.test(missing.err)], [2, true]);
    assert.equal(run([intact, '--public-key', keyFile, '--require-anchored']).code, 0);
  });
});
