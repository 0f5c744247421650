import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChainedAuditEvent } from '../chain/audit-event.types';
import { CSV_COLUMNS, csvField, csvHeader, csvRow } from './csv';

/**
 * A strict RFC 4180 reader: records end in CRLF; a quoted field may hold commas, CRLF and doubled quotes;
 * a bare CR or LF, or a quote inside an unquoted field, is an error (so the writer cannot lean on leniency).
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let i = 0;
  while (i < text.length) {
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (text[i] === '"') break;
        else value += text[i++];
      }
      i++;
    } else {
      while (i < text.length && !',\r\n'.includes(text[i])) {
        if (text[i] === '"') throw new Error(`quote inside an unquoted field at ${i}`);
        value += text[i++];
      }
    }
    fields.push(value);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      records.push(fields);
      fields = [];
      i += 2;
    } else throw new Error(`expected , or CRLF at ${i}, got ${JSON.stringify(text[i])}`);
  }
  if (fields.length) throw new Error('last record lacks its CRLF');
  return records;
}

function event(overrides: Partial<ChainedAuditEvent> = {}): ChainedAuditEvent {
  return {
    v: 2,
    event_id: '0b9f7c1e-1d2a-4f00-9a00-000000000001',
    event_type: 'enforcement',
    org_id: '3f2a1c4e-0000-4000-8000-000000000001',
    seq: 42,
    prev_hash: '0'.repeat(64),
    created_at: '2026-05-01T12:00:00.000Z',
    occurred_at: '2026-05-01T11:59:59.950Z',
    project_id: 'proj_1',
    principal: { kind: 'api_key', key_id: 'key_1', key_preview: 'sk-…abcd', user_id: null },
    request_id: 'req_1',
    surface: 'chat.completions',
    model: 'abliterated-model',
    provider: 'local',
    upstream_model: 'stories260K',
    stream: false,
    status: 'ok',
    http_status: 200,
    error_code: null,
    finish_reason: 'stop',
    input_tokens: 12,
    output_tokens: 34,
    started_at: '2026-05-01T11:59:59.900Z',
    latency_ms: 50,
    ttft_ms: null,
    attributes: {
      policy: { decision: 'refuse', effective_decision: 'allow', reason_code: 'REFUSE', policy_id: 'support-bot', policy_version: 3, triggered_categories: ['self-harm', 'violence'] },
      flagged_categories: { triggered: ['violence', 'weapons'] },
    },
    entry_hash: 'ab'.repeat(32),
    ...overrides,
  };
}

/** The row of `e`, parsed back, as a column → value map. */
const readBack = (e: ChainedAuditEvent) => {
  const [header, row] = parseCsv(csvHeader() + csvRow(e));
  return Object.fromEntries(header.map((h, i) => [h, row[i]]));
};

describe('csv', () => {
  it('header: the fixed columns, CRLF-terminated; every row has as many fields', () => {
    assert.equal(csvHeader(), `${CSV_COLUMNS.join(',')}\r\n`);
    assert.equal(CSV_COLUMNS.length, 29);
    const rows = parseCsv(csvHeader() + csvRow(event()) + csvRow(event({ attributes: {}, project_id: null })));
    assert.equal(rows.length, 3);
    for (const r of rows) assert.equal(r.length, CSV_COLUMNS.length);
  });

  it('reads the event, its principal and its policy fields; categories joined by ; and deduplicated', () => {
    const r = readBack(event());
    assert.deepEqual(
      [r.event_id, r.seq, r.key_id, r.key_preview, r.user_id, r.http_status, r.decision, r.effective_decision, r.policy_version, r.triggered_categories, r.ttft_ms, r.entry_hash],
      ['0b9f7c1e-1d2a-4f00-9a00-000000000001', '42', 'key_1', 'sk-…abcd', '', '200', 'refuse', 'allow', '3', 'self-harm;violence;weapons', '', 'ab'.repeat(32)],
    );
    const revision = readBack(event({ event_type: 'revision', attributes: { action: 'policy_update', policy_id: 'p9', policy_version: 4 } }));
    assert.deepEqual([revision.policy_id, revision.policy_version, revision.decision, revision.triggered_categories], ['p9', '4', '', '']);
  });

  it('round-trips commas, quotes, CR, LF, CRLF and unicode through an RFC 4180 reader', () => {
    const nasty = ['a,b', 'say "hi"', 'line1\nline2', 'cr\ronly', 'crlf\r\nend', '"', ',', 'ünïcødé — 日本語 🙂', ' padded ', ''];
    for (const text of nasty) {
      const r = readBack(event({ model: text, principal: { kind: 'user', key_id: null, key_preview: null, user_id: text } }));
      assert.equal(r.model, text, JSON.stringify(text));
      assert.equal(r.user_id, text);
    }
    assert.equal(csvField('a"b'), '"a""b"');
    assert.equal(csvField('plain'), 'plain');
  });

  it('defuses formulas: = + - @ TAB CR at the start of text get a leading quote', () => {
    const cases: Array<[string, string]> = [
      ['=1+1', "'=1+1"],
      ['+cmd', "'+cmd"],
      ['-2', "'-2"],
      ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
      ['\t=1', "'\t=1"],
      ['\r=1', "'\r=1"],
      ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`],
      ['a=1', 'a=1'],
      [' =1', ' =1'],
    ];
    for (const [input, expected] of cases) {
      assert.equal(readBack(event({ model: input })).model, expected, JSON.stringify(input));
    }
    assert.equal(csvField('=1,2'), `"'=1,2"`, 'guarded, then quoted');
    assert.equal(csvField('\r=1'), `"'\r=1"`);
  });

  it('numbers stay numbers, negative ones too; only text is guarded', () => {
    assert.equal(csvField(-2), '-2');
    assert.equal(csvField('-2'), "'-2");
    assert.equal(csvField(0), '0');
    assert.equal(csvField(Number.NaN), '');
    assert.equal(csvField(true), 'true');
    assert.equal(csvField(null), '');
    const r = readBack(event({ latency_ms: -5, attributes: { policy: { policy_version: -1, reason_code: '-1', decision: { nested: '=x' } } } }));
    assert.deepEqual([r.latency_ms, r.policy_version, r.reason_code], ['-5', '-1', "'-1"]);
    assert.equal(r.decision, '{"nested":"=x"}', 'a non-scalar is written as its JSON text');
  });
});
