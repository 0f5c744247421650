import type { InferenceSummary } from '@gw/inference';
import { GatewayMetrics, Tracing } from '@gw/observability';
import { recordRequest } from '../../apps/inference/src/metrics/request-metrics';
import type { Stage } from './s4-timer';

/**
 * What `/metrics` adds to a request (issue 13): the request's counters and histograms (`recordRequest`, run once per
 * request by the observer) for a streamed call that reached the upstream, and the same with metrics off. A scrape's
 * cost is paid per scrape, not per request, and is not here. And what tracing adds when on (OTEL_EXPORTER_OTLP_ENDPOINT):
 * one request's span, its admission, policy and upstream children, the upstream's traceparent, and the end with the
 * GenAI attributes (the batch export runs off the request path and is not timed; with tracing off no span exists).
 */
export function metricsStages(): Stage[] {
  const now = Date.now();
  const summary: InferenceSummary = {
    requestId: 'req_bench',
    surface: 'chat.completions',
    model: 'abliterated-model',
    provider: 'upstream',
    upstreamModel: 'bench-model',
    stream: true,
    status: 'ok',
    httpStatus: 200,
    errorCode: null,
    errorKind: null,
    finishReason: 'end_turn',
    usage: { inputTokens: 20, outputTokens: 17 },
    startedAtMs: now - 3,
    finishedAtMs: now,
    latencyMs: 3,
    ttftMs: 1,
    exactMs: { latency: 3.2, ttft: 1.1, upstream: 2.4 },
  };
  const on = new GatewayMetrics(true);
  const off = new GatewayMetrics(false);
  // Nothing listens on port 9: the exporter's batches fail in the background, as with a collector that is down.
  const tracing = new Tracing({ endpoint: 'http://127.0.0.1:9', serviceName: 'bench', role: 'inference' });
  const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
  const traced = () => {
    const t = tracing.startRequest('req_bench', 'POST', '/v1/chat/completions', headers, 'chat.completions');
    t.stage('gateway.policy.pre')();
    t.stage('gateway.admission')();
    const upstream = t.stage('gateway.upstream');
    t.upstreamHeaders();
    upstream();
    t.finish(summary);
  };
  return [
    { stage: 'tracing: one request, 3 child spans (OTEL_EXPORTER_OTLP_ENDPOINT set)', body: '–', run: traced },
    { stage: 'metrics: recordRequest (METRICS_ENABLED=true)', body: '–', run: () => recordRequest(on, summary) },
    { stage: 'metrics: recordRequest (METRICS_ENABLED=false)', body: '–', run: () => recordRequest(off, summary) },
  ];
}
