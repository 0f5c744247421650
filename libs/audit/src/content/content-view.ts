import type { ChainedAuditEvent } from '../chain/audit-event.types';
import { contentExpiry, type StoredContent } from './content-store';
import type { ContentVault } from './content-vault';

/** What `GET /api/audit/events/{id}?include=content` adds to the event. */
export interface ContentView {
  /** The texts (null where there was none, e.g. a refusal's output), or null when nothing can be shown. */
  content: { prompt: string | null; output: string | null; expires_at: string } | null;
  /** The event retained content, and it has expired (or was deleted with its retention). */
  content_expired?: true;
  /**
   * The row is there but cannot be opened: `key_changed` (sealed under another AUDIT_CONTENT_KEY, or a JWT_SECRET it
   * was derived from; see `content_key_id`), `unreadable` (altered, or not this event's).
   */
  content_error?: 'key_changed' | 'unreadable';
  content_key_id?: string;
}

/**
 * The readable content of `event` at `now`: nothing for an event that retained none, `content_expired` past the
 * row's expiry (or its org's shorter content retention, even before the hourly deletion ran), else the opened texts.
 */
export function contentView(vault: ContentVault, event: ChainedAuditEvent, stored: StoredContent | null, now = new Date()): ContentView {
  if (event.attributes.content_retained !== true) return { content: null };
  if (!stored) return { content: null, content_expired: true };
  const expiry = contentExpiry(stored);
  if (expiry.getTime() <= now.getTime()) return { content: null, content_expired: true };
  if (stored.key_id !== vault.keyId) return { content: null, content_error: 'key_changed', content_key_id: stored.key_id };
  try {
    const open = (field: 'prompt' | 'output', sealed: string | null) => (sealed === null ? null : vault.open(event.org_id, event.event_id, field, sealed));
    return { content: { prompt: open('prompt', stored.prompt), output: open('output', stored.output), expires_at: expiry.toISOString() } };
  } catch {
    return { content: null, content_error: 'unreadable', content_key_id: stored.key_id };
  }
}
