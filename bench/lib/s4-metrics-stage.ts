import type { InferenceSummary } from '@gw/inference';
import { GatewayMetrics } from '@gw/observability';
import { recordRequest } from '../../apps/inference/src/metrics/request-metrics';
import type { Stage } from './s4-timer';

/**
 * What `/metrics` adds to a request (issue 13): the request's counters and histograms (`recordRequest`, run once per
 * request by the observer) for a streamed call that reached the upstream, and the same with metrics off. A scrape's
 * cost is paid per scrape, not per request, and is not here.
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
  return [
    { stage: 'metrics: recordRequest (METRICS_ENABLED=true)', body: '–', run: () => recordRequest(on, summary) },
    { stage: 'metrics: recordRequest (METRICS_ENABLED=false)', body: '–', run: () => recordRequest(off, summary) },
  ];
}
