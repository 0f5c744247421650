import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { answer, Faults, listen, type Pausable, type TestServer } from './http-server';

/**
 * A webhook receiver written from the documented contract, not from the sender's code: it recomputes
 * `v1=HMAC-SHA256(secret, "<timestamp>.<raw body>")`, compares in constant time, refuses timestamps outside
 * the window (401), checks that `x-gateway-event-id` names the body's event, and dedupes on the event id.
 */
export interface WebhookReceiver extends TestServer, Pausable {
  url: string;
  faults: Faults;
  /** Accepted events, parsed, in arrival order (duplicates excluded). */
  readonly events: Array<Record<string, unknown>>;
  /** Raw bodies and headers of accepted requests. */
  readonly deliveries: Array<{ headers: IncomingHttpHeaders; raw: string }>;
  /** Why requests were refused (`signature`, `timestamp`, `event-id`, `json`). */
  readonly refused: string[];
  /** Event ids of accepted requests whose event had been received already. */
  readonly duplicates: string[];
  /** Forgets everything received (dedupe memory included) and clears the faults. */
  reset(): void;
}

export interface WebhookReceiverOptions {
  secret: string;
  /** Replay window, seconds (default 300). */
  toleranceSeconds?: number;
  /** The receiver's clock, ms (default `Date.now`). */
  now?: () => number;
}

const header = (h: IncomingHttpHeaders, name: string): string => {
  const v = h[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
};

/** Why a request must be refused, or null when it is authentic and fresh. */
function refusal(opts: WebhookReceiverOptions, headers: IncomingHttpHeaders, raw: string): string | null {
  const ts = header(headers, 'x-gateway-timestamp');
  const sig = header(headers, 'x-gateway-signature');
  const expected = `v1=${createHmac('sha256', opts.secret).update(`${ts}.${raw}`).digest('hex')}`;
  if (sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) return 'signature';
  const now = Math.floor((opts.now ?? Date.now)() / 1000);
  if (!/^\d+$/.test(ts) || Math.abs(now - Number(ts)) > (opts.toleranceSeconds ?? 300)) return 'timestamp';
  return null;
}

export async function startWebhookReceiver(opts: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const faults = new Faults();
  const events: Array<Record<string, unknown>> = [];
  const deliveries: Array<{ headers: IncomingHttpHeaders; raw: string }> = [];
  const refused: string[] = [];
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const server = await listen((req, res, body) => {
    const raw = body.toString('utf8');
    const why = refusal(opts, req.headers, raw);
    if (why) {
      refused.push(why);
      return answer(res, 401, { error: why });
    }
    if (faults.apply(res)) return;
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      refused.push('json');
      return answer(res, 400, { error: 'json' });
    }
    if (event.event_id !== header(req.headers, 'x-gateway-event-id') || header(req.headers, 'content-type') !== 'application/json') {
      refused.push('event-id');
      return answer(res, 400, { error: 'event-id' });
    }
    if (seen.has(String(event.event_id))) duplicates.push(String(event.event_id));
    else {
      seen.add(String(event.event_id));
      events.push(event);
      deliveries.push({ headers: req.headers, raw });
    }
    answer(res, 200, { ok: true });
  });
  return Object.assign(server, {
    url: `${server.origin}/hooks/audit`,
    faults,
    events,
    deliveries,
    refused,
    duplicates,
    reset: () => {
      for (const a of [events, deliveries, refused, duplicates]) a.length = 0;
      seen.clear();
      faults.reset();
    },
  });
}
