import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publicKeyBase64 } from '../chain/verify/checkpoint-keys';
import { ExportFormatError } from '../chain/verify/export-format';
import { buildChain, newSigner, ORG_A, ORG_B, rehash } from '../chain/verify/verify.fixture';
import { exportText, tempFiles } from './export.fixture';
import { verifyExportFile, VerifyUsageError, type ExportVerifyResult } from './verify-export-file';

const a = buildChain(120, 25, ORG_A);
const b = buildChain(30, 10, ORG_B, a.signer);
const files = tempFiles();
const keys = [a.signer.publicKey];
const byOrg = (r: ExportVerifyResult, org: string) => r.orgs.find((o) => o.org_id === org)!;
const brk = (r: ExportVerifyResult, org: string) => [byOrg(r, org).ok, byOrg(r, org).first_break?.seq ?? null, byOrg(r, org).first_break?.reason ?? null];

describe('verifyExportFile', () => {
  it('verifies every org of a file on its own chain (interleaved events, checkpoints at the end)', async () => {
    const r = await verifyExportFile(files.write('ok.jsonl', exportText([{ fx: a }, { fx: b }])), keys);
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(r.orgs.map((o) => [o.org_id, o.checked, o.checkpoints_verified, o.anchored_through, o.events, o.problems.length]), [
      [ORG_B, 30, 3, 30, 30, 0],
      [ORG_A, 120, 4, 100, 120, 0],
    ]);
    assert.deepEqual([r.lines, r.key_source, r.key_ids], [120 + 30 + 4 + 3 + 2, 'given', [a.signer.keyId]]);
  });

  it('reports a tampered line at its org and seq only, and a cut tail against the export line', async () => {
    const edited = a.events.map((e) => (e.seq === 77 ? { ...e, status: 'error' } : e));
    const r = await verifyExportFile(files.write('edit.jsonl', exportText([{ fx: a, events: edited }, { fx: b }])), keys);
    assert.deepEqual([r.ok, brk(r, ORG_A), brk(r, ORG_B)], [false, [false, 77, 'hash_mismatch'], [true, null, null]]);
    const cut = await verifyExportFile(files.write('cut.jsonl', exportText([{ fx: a, events: a.events.slice(0, 110), meta: { count: 120, last_seq: 120 } }])), keys);
    assert.deepEqual(brk(cut, ORG_A), [false, 111, 'truncated']);
    const lies = await verifyExportFile(files.write('lies.jsonl', exportText([{ fx: a, meta: { count: 121 } }])), keys);
    assert.deepEqual([lies.ok, byOrg(lies, ORG_A).first_break, byOrg(lies, ORG_A).problems], [false, null, ['the export line says 121 events, the file holds 120']]);
  });

  it('does not hold a complete file to a head that moved on after it was read, but does when it claims to reach it', async () => {
    const partial = a.events.slice(0, 100);
    const moved = await verifyExportFile(files.write('moved.jsonl', exportText([{ fx: a, events: partial }])), keys);
    assert.deepEqual([moved.ok, byOrg(moved, ORG_A).last_seq], [true, 100]);
    const claims = await verifyExportFile(files.write('claims.jsonl', exportText([{ fx: a, events: partial, meta: { last_seq: undefined } }])), keys);
    assert.deepEqual(brk(claims, ORG_A), [false, 101, 'truncated']);
  });

  it('checks a filtered export (gaps by design): each hash, neighbours, checkpoints at the seqs present', async () => {
    const thinned = a.events.filter((e) => e.seq % 5 !== 1);
    const r = await verifyExportFile(files.write('filtered.jsonl', exportText([{ fx: a, events: thinned, meta: { filtered: true } }])), keys);
    assert.deepEqual([r.ok, byOrg(r, ORG_A).filtered, byOrg(r, ORG_A).checkpoints_verified], [true, true, 4]);
    const forged = thinned.map((e) => (e.seq === 48 ? rehash({ ...e, model: 'x' }) : e));
    const bad = await verifyExportFile(files.write('filtered-bad.jsonl', exportText([{ fx: a, events: forged, meta: { filtered: true } }])), keys);
    assert.deepEqual(brk(bad, ORG_A), [false, 49, 'prev_hash_mismatch']);
    const unfiltered = await verifyExportFile(files.write('gaps.jsonl', exportText([{ fx: a, events: thinned }])), keys);
    assert.deepEqual(brk(unfiltered, ORG_A), [false, 6, 'missing'], 'gaps are only allowed when the export says it was filtered');
    const headless = await verifyExportFile(files.write('headless.jsonl', exportText([{ fx: a, events: a.events.slice(3), meta: { first_seq: 1, count: 117 } }])), keys);
    assert.deepEqual(brk(headless, ORG_A), [false, 1, 'missing'], 'deleted first lines, against the export line');
  });

  it('trusts embedded keys only when asked and no key is given; a wrong given key is unknown_key', async () => {
    const path = files.write('embedded.jsonl', exportText([{ fx: a }, { fx: b }]));
    await assert.rejects(verifyExportFile(path, []), VerifyUsageError);
    const r = await verifyExportFile(path, [], { trustEmbeddedKeys: true });
    assert.deepEqual([r.ok, r.key_source], [true, 'embedded']);
    const pem = await verifyExportFile(files.write('pem.jsonl', exportText([{ fx: a, meta: { public_keys: { x: a.signer.publicKeyPem } } }])), [], { trustEmbeddedKeys: true });
    assert.equal(pem.ok, true, 'PEM embedded keys work too, whatever id they are filed under');
    const wrong = await verifyExportFile(path, [newSigner().publicKey], { trustEmbeddedKeys: true });
    assert.deepEqual([wrong.key_source, brk(wrong, ORG_A)], ['given', [false, 25, 'unknown_key']]);
    await assert.rejects(verifyExportFile(files.write('bad-key.jsonl', exportText([{ fx: a, meta: { public_keys: { k: 'AAAA' } } }])), [], { trustEmbeddedKeys: true }), /embedded public key k/);
    assert.ok(publicKeyBase64(a.signer.publicKey).length > 40);
  });

  it('requires anchoring through the last event on request', async () => {
    const path = files.write('anchor.jsonl', exportText([{ fx: a }]));
    assert.equal((await verifyExportFile(path, keys)).ok, true);
    const strict = await verifyExportFile(path, keys, { requireAnchored: true });
    assert.deepEqual([strict.ok, byOrg(strict, ORG_A).problems], [false, ['events 101..120 are not covered by a valid checkpoint']]);
  });

  it('refuses a malformed file with the line number, an empty file, and a missing file', async () => {
    const lines = exportText([{ fx: a }]).split('\n');
    lines[41] = '{"seq": 42, "org_id": ';
    const err = await verifyExportFile(files.write('bad.jsonl', lines.join('\n')), keys).catch((e: unknown) => e);
    assert.ok(err instanceof ExportFormatError && err.line === 42, String(err));
    await assert.rejects(verifyExportFile(files.write('empty.jsonl', '\n\n'), keys), /no event, checkpoint or export line/);
    await assert.rejects(verifyExportFile(`${files.dir}/absent.jsonl`, keys), { code: 'ENOENT' });
  });
});
