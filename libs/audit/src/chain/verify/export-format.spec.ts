import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entryHash } from '../entry-hash';
import { ExportFormatError, formatExportLine, parseExportLine, type AuditExportMeta } from './export-format';
import { buildChain } from './verify.fixture';

const fx = buildChain(3, 3);
const event = fx.events[1];
const checkpoint = fx.checkpoints[0];
const meta: AuditExportMeta = { org_id: event.org_id, generated_at: '2026-01-01T00:00:00.000Z', count: 3, head: fx.head, public_keys: { [fx.signer.keyId]: 'MCowBQYDK2VwAyEA' } };

/** The error a line gives, as `line N: …` text. */
function errorOf(line: string, lineNo = 7): string {
  try {
    parseExportLine(line, lineNo);
  } catch (err) {
    assert.ok(err instanceof ExportFormatError);
    assert.equal(err.line, lineNo);
    return err.message;
  }
  assert.fail(`line was accepted: ${line}`);
}

describe('export format', () => {
  it('round-trips every kind of line, and an event still hashes to its entry_hash after the trip', () => {
    const e = parseExportLine(formatExportLine({ kind: 'event', event }).trimEnd(), 1);
    assert.deepEqual(e, { kind: 'event', event });
    assert.equal(e.kind === 'event' && entryHash(e.event), event.entry_hash);
    assert.deepEqual(parseExportLine(formatExportLine({ kind: 'checkpoint', checkpoint }), 2), { kind: 'checkpoint', checkpoint });
    assert.deepEqual(parseExportLine(formatExportLine({ kind: 'export', meta }), 3), { kind: 'export', meta });
    const full = { ...meta, first_seq: 1, last_seq: 3, filtered: false };
    assert.deepEqual(parseExportLine(formatExportLine({ kind: 'export', meta: full }), 4), { kind: 'export', meta: full });
    assert.match(formatExportLine({ kind: 'checkpoint', checkpoint }), /^\{"checkpoint":\{.*\}\}\n$/);
  });

  it('keeps unknown event fields (the hash covers them) and drops unknown checkpoint fields (the signature does not)', () => {
    const extra = parseExportLine(JSON.stringify({ ...event, added: 1 }), 1);
    assert.equal(extra.kind === 'event' && (extra.event as unknown as { added: number }).added, 1);
    const cp = parseExportLine(JSON.stringify({ checkpoint: { ...checkpoint, note: 'x' } }), 1);
    assert.deepEqual(cp, { kind: 'checkpoint', checkpoint });
  });

  it('names the line and the field of every malformed line', () => {
    const { seq: _seq, ...noSeq } = event;
    const cases: Array<[string, RegExp]> = [
      ['{"seq": 1,', /^line 7: invalid JSON/],
      ['[1,2]', /^line 7: expected a JSON object$/],
      ['"text"', /^line 7: expected a JSON object$/],
      [JSON.stringify(noSeq), /^line 7: event\.seq must be an integer >= 1 \(missing\)$/],
      [JSON.stringify({ ...event, seq: '2' }), /^line 7: event\.seq must be an integer >= 1 \(got "2"\)$/],
      [JSON.stringify({ ...event, seq: 0 }), /event\.seq must be an integer >= 1/],
      [JSON.stringify({ ...event, org_id: 5 }), /^line 7: event\.org_id must be a non-empty string/],
      [JSON.stringify({ ...event, prev_hash: event.prev_hash.toUpperCase() }), /^line 7: event\.prev_hash must be 64 lower-case hex/],
      [JSON.stringify({ ...event, entry_hash: 'abc' }), /event\.entry_hash must be 64 lower-case hex/],
      [JSON.stringify({ checkpoint: { ...checkpoint, signature: undefined } }), /^line 7: checkpoint\.signature must be a non-empty string \(missing\)$/],
      [JSON.stringify({ checkpoint: { ...checkpoint, seq: 1.5 } }), /checkpoint\.seq must be an integer/],
      [JSON.stringify({ checkpoint, seq: 1 }), /^line 7: a checkpoint line holds only the "checkpoint" key$/],
      [JSON.stringify({ checkpoint: 'x' }), /"checkpoint" must be an object/],
      [JSON.stringify({ export: { ...meta, count: -1 } }), /export\.count must be an integer >= 0/],
      [JSON.stringify({ export: { ...meta, head: { seq: 3 } } }), /export\.head\.entry_hash must be 64 lower-case hex/],
      [JSON.stringify({ export: { ...meta, head: undefined } }), /export\.head must be an object \(missing\)/],
      [JSON.stringify({ export: { ...meta, public_keys: { k: 1 } } }), /export\.public_keys\.k must be a base64 SPKI DER string/],
      [JSON.stringify({ export: { ...meta, filtered: 'yes' } }), /export\.filtered must be a boolean/],
      [JSON.stringify({ export: { ...meta, last_seq: 'z' } }), /export\.last_seq must be null or an integer >= 1/],
    ];
    for (const [line, want] of cases) assert.match(errorOf(line), want, line.slice(0, 80));
    assert.deepEqual(parseExportLine(JSON.stringify({ export: { ...meta, head: null } }), 1), { kind: 'export', meta: { ...meta, head: null } });
  });
});
