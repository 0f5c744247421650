import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeEvents } from '../connectors/testing/events';
import type { ChainedAuditEvent } from './audit-event.types';
import { entryHash } from './entry-hash';
import { EVENT_COLUMNS, eventFromRow, rowValues, type AuditEventRow } from './event-row';

/** The row Postgres would return for an event written with {@link rowValues} (jsonb parsed, bytea as Buffers). */
function stored(e: ChainedAuditEvent): AuditEventRow {
  const values = rowValues(e);
  const row = Object.fromEntries(EVENT_COLUMNS.map(([c], i) => [c, values[i]])) as Record<string, unknown>;
  row.attributes = JSON.parse(row.attributes as string) as unknown;
  return row as unknown as AuditEventRow;
}

describe('audit_event rows', () => {
  it('keep HMACs in bytea columns, out of the jsonb, and give the same event (and hash) back', () => {
    const [e] = makeEvents(1);
    const event: ChainedAuditEvent = { ...e, attributes: { ...e.attributes, prompt_hmac: 'ab'.repeat(32), output_hmac: 'cd'.repeat(32) } };
    const row = stored(event);
    assert.equal('prompt_hmac' in row.attributes, false);
    assert.equal('output_hmac' in row.attributes, false);
    assert.deepEqual([row.prompt_hmac, row.output_hmac], [Buffer.from('ab'.repeat(32), 'hex'), Buffer.from('cd'.repeat(32), 'hex')]);
    const back = eventFromRow(row);
    assert.deepEqual(back, event);
    assert.equal(entryHash(back), entryHash(event));
  });

  it('leave anything that is not a 64-hex digest in the jsonb, exactly as it was', () => {
    const [e] = makeEvents(1);
    for (const attributes of [{}, { prompt_hmac: 'AB'.repeat(32) }, { prompt_hmac: null, output_hmac: 42 }, { output_hmac: 'ef'.repeat(32), note: 'x' }]) {
      const event: ChainedAuditEvent = { ...e, attributes };
      assert.deepEqual(eventFromRow(stored(event)), event, JSON.stringify(attributes));
    }
  });

  it('read rows written before the columns existed (HMACs in the jsonb) unchanged', () => {
    const [e] = makeEvents(1);
    const event: ChainedAuditEvent = { ...e, attributes: { ...e.attributes, prompt_hmac: 'ab'.repeat(32) } };
    const old = { ...stored(event), attributes: event.attributes, prompt_hmac: null, output_hmac: null };
    assert.deepEqual(eventFromRow(old), event);
  });
});
