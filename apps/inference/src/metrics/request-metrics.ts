import type { InferenceSummary } from '@gw/inference';
import type { GatewayMetrics } from '@gw/observability';

/** Refusals at admission, by what refused: credits (402), the rate limit, or a quota (429 with a quota code). */
function refusalOf(s: InferenceSummary): string | undefined {
  if (s.errorKind === 'payment_required') return 'credits';
  if (s.errorKind === 'rate_limited') return s.errorCode === 'rate_limit_exceeded' ? 'rate_limit' : 'quota';
  return undefined;
}

/**
 * One request's figures: its count by surface, status and model, its duration, the gateway's own share (total minus
 * the upstream's time) when it reached the upstream, TTFT for streams, upstream failures by kind, and refusals.
 * Admission's round trip, when a meter admitted (or refused) the request, is its own histogram: with the overhead, it
 * tells whether a slow first byte was the credit and quota stores or the gateway's own work.
 * An upstream failure is an error of a request whose upstream was called (a 503 for a store outage is not one).
 */
export function recordRequest(m: GatewayMetrics, s: InferenceSummary, knownModel = s.provider !== ''): void {
  if (!m.enabled) return;
  const surface = s.surface;
  m.requests.inc({ surface, status: String(s.httpStatus), model: knownModel ? s.model : 'unknown' });
  const t = s.exactMs;
  if (t) {
    m.duration.observe({ surface }, t.latency / 1000);
    if (t.upstream !== null) {
      m.upstream.observe({ provider: s.provider }, t.upstream / 1000);
      m.overhead.observe({ surface }, Math.max(0, t.latency - t.upstream) / 1000);
      if (s.status === 'error' && s.errorKind) m.upstreamErrors.inc({ provider: s.provider, kind: s.errorKind });
    }
    if (t.admission != null) m.admission.observe({ surface }, t.admission / 1000);
    if (t.ttft !== null && s.stream) m.ttft.observe({ surface }, t.ttft / 1000);
  }
  const refusal = refusalOf(s);
  if (refusal) m.refusals.inc({ reason: refusal });
}
