import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ChainedAuditEvent } from '../chain/audit-event.types';
import type { StoredContent } from './content-store';
import { ContentVault } from './content-vault';
import { contentView } from './content-view';

const vault = new ContentVault(randomBytes(32), 30);
const now = new Date('2026-03-10T00:00:00.000Z');
const event = (retained: boolean) => ({ org_id: randomUUID(), event_id: randomUUID(), attributes: retained ? { content_retained: true } : {} }) as unknown as ChainedAuditEvent;

function stored(e: ChainedAuditEvent, over: Partial<StoredContent> = {}): StoredContent {
  const c = vault.seal(e.org_id, e.event_id, { prompt: 'the prompt', output: null }, new Date('2026-03-01T00:00:00.000Z'), 30);
  return { created_at: new Date('2026-03-01T00:00:00.000Z'), expires_at: new Date(c.expires_at), prompt: c.prompt!, output: null, key_id: c.key_id, org_days: null, ...over };
}

describe(contentView.name, () => {
  it('opens the texts of an event that retained them, with the expiry', () => {
    const e = event(true);
    assert.deepEqual(contentView(vault, e, stored(e), now), { content: { prompt: 'the prompt', output: null, expires_at: '2026-03-31T00:00:00.000Z' } });
  });

  it('an event without content: content null, nothing else', () => {
    assert.deepEqual(contentView(vault, event(false), null, now), { content: null });
  });

  it("expired: past the row's expiry, gone already, or past the org's shorter content retention", () => {
    const e = event(true);
    const expired = { content: null, content_expired: true };
    assert.deepEqual(contentView(vault, e, stored(e, { expires_at: new Date('2026-03-09T00:00:00.000Z') }), now), expired);
    assert.deepEqual(contentView(vault, e, null, now), expired);
    assert.deepEqual(contentView(vault, e, stored(e, { org_days: 5 }), now), expired);
    assert.equal(contentView(vault, e, stored(e, { org_days: 20 }), now).content?.expires_at, '2026-03-21T00:00:00.000Z');
  });

  it('another key, or a value of another event: an error, never the text', () => {
    const e = event(true);
    assert.deepEqual(contentView(vault, e, stored(e, { key_id: 'deadbeef' }), now), { content: null, content_error: 'key_changed', content_key_id: 'deadbeef' });
    const other = event(true);
    assert.equal(contentView(vault, e, stored(other), now).content_error, 'unreadable');
  });
});
