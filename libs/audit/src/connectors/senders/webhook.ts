import { createHmac } from 'node:crypto';
import type { ChainedAuditEvent } from '../../chain/audit-event.types';
import type { DeliveryResult, WebhookConfig } from '../connector.types';
import { payloadJson } from '../payload';
import { postOnce, statusFailure } from './http';

/**
 * HTTP webhook (spec §4.10): one `POST` per event, JSON body (the §4.9.1 payload), 2xx = acknowledged. Events of
 * a batch go one at a time, in chain order, stopping at the first failure, so `delivered` says exactly which
 * prefix was acknowledged and a retry resends the rest, in order.
 *
 * Headers of every request:
 * - `x-gateway-event-id`: the event id (dedupe key: delivery is at-least-once);
 * - `x-gateway-timestamp`: unix seconds when this attempt was signed;
 * - `x-gateway-signature`: `v1=` + hex HMAC-SHA256 keyed with the connector's `secret` over
 *   `` `${timestamp}.${body}` `` (the raw body bytes as received).
 *
 * What a receiver must do (the replay window): recompute the HMAC over the raw body and compare in constant time;
 * refuse a timestamp more than 5 minutes ({@link REPLAY_WINDOW_SECONDS}) from its clock, in either direction, so
 * a captured request cannot be replayed later; and dedupe on `x-gateway-event-id` (equal to the body's
 * `event_id`), which covers replays inside the window as well as our own retries. Each retry is signed afresh,
 * so a delivery that waited in backoff is not refused as stale.
 */

/** The tolerance receivers should apply to `x-gateway-timestamp`, in seconds. */
export const REPLAY_WINDOW_SECONDS = 300;

/** `v1=<hex>`: the signature of `body` at `timestamp` (unix seconds) with `secret`. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** The headers of one webhook request: the user's, then ours (validation forbids a user to set ours). */
export function webhookHeaders(config: WebhookConfig, eventId: string, body: string, now: number): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    ...config.headers,
    'content-type': 'application/json',
    'user-agent': 'policy-gateway-connector/1',
    'x-gateway-event-id': eventId,
    'x-gateway-timestamp': String(timestamp),
    'x-gateway-signature': webhookSignature(config.secret, timestamp, body),
  };
}

/** Delivers the events one `POST` each; stops at the first failure. */
export async function sendWebhook(config: WebhookConfig, events: ChainedAuditEvent[], signal?: AbortSignal, now: () => number = Date.now): Promise<DeliveryResult> {
  for (let i = 0; i < events.length; i++) {
    const body = payloadJson(events[i]);
    const out = await postOnce({
      url: config.url,
      headers: webhookHeaders(config, events[i].event_id, body, now()),
      body,
      timeoutMs: config.timeout_ms,
      verifyTls: config.verify_tls,
      signal,
    });
    if ('failure' in out) return { ok: false, delivered: i, ...out.failure };
    if (out.answer.status < 200 || out.answer.status >= 300) return { ok: false, delivered: i, ...statusFailure(out.answer, config.url) };
  }
  return { ok: true, delivered: events.length };
}
