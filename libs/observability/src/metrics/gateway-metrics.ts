import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type CounterConfiguration, type HistogramConfiguration } from 'prom-client';
import { BoundedLabel } from './bounded-label';

/** Seconds, from 0.5 ms (the gateway's own share of a call) to 2 minutes (a long generation). */
const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Every metric of one app (issue 13), in its own registry: the inference and control apps of one process each expose
 * their own. Labels are bounded by construction: surfaces, statuses, error kinds, decisions and queue names are
 * fixed sets; models are the catalogue's (an unknown name counts as `unknown`); reason codes and classifier ids are
 * {@link BoundedLabel}s. Never a key, user, organisation or request id.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly reasons = new BoundedLabel(200);

  readonly requests = this.counter({ name: 'gateway_requests_total', help: 'Generation requests by surface, HTTP status and model', labelNames: ['surface', 'status', 'model'] });
  readonly duration = this.histogram({ name: 'gateway_request_duration_seconds', help: 'Whole request, arrival to last byte', labelNames: ['surface'] });
  readonly overhead = this.histogram({ name: 'gateway_overhead_seconds', help: "The gateway's own share of a request that reached the upstream: total minus upstream time", labelNames: ['surface'] });
  readonly admission = this.histogram({ name: 'gateway_admission_seconds', help: 'Admission round trip (credits, quotas and the deferred rate limit, in flight together): asked to answered, refusals included', labelNames: ['surface'] });
  readonly upstream = this.histogram({ name: 'gateway_upstream_duration_seconds', help: 'Upstream time: dispatch to answer (JSON) or to the end of the stream', labelNames: ['provider'] });
  readonly ttft = this.histogram({ name: 'gateway_ttft_seconds', help: 'Arrival to the first generated token (streams)', labelNames: ['surface'] });
  readonly upstreamErrors = this.counter({ name: 'gateway_upstream_errors_total', help: 'Upstream failures by provider and kind', labelNames: ['provider', 'kind'] });
  readonly refusals = this.counter({ name: 'gateway_refusals_total', help: 'Requests refused at admission: credits, quota or rate limit', labelNames: ['reason'] });
  readonly policyDecisions = this.counter({ name: 'gateway_policy_decisions_total', help: 'Policy pre-check decisions by decision, reason code and enforcement', labelNames: ['decision', 'reason', 'enforced'] });
  readonly classifierDuration = this.histogram({ name: 'gateway_classifier_duration_seconds', help: 'Content classifier calls by classifier and outcome', labelNames: ['classifier', 'status'] });
  readonly auditRows = this.counter({ name: 'gateway_audit_rows_written_total', help: 'Audit events chained and written', labelNames: [] });
  readonly auditLag = this.histogram({ name: 'gateway_audit_lag_seconds', help: 'End of a request to its audit row being written', labelNames: [] });
  readonly deliveries = this.counter({ name: 'gateway_connector_deliveries_total', help: 'Audit connector deliveries by connector kind and outcome', labelNames: ['kind', 'outcome'] });
  constructor(readonly enabled: boolean) {
    if (enabled) collectDefaultMetrics({ register: this.registry, prefix: 'gateway_' });
  }

  /** A bounded label value for a reason code or classifier id. */
  reason(code: string): string {
    return this.reasons.of(code);
  }

  /** Adds a gauge read at scrape time (queue depths, the limiter's fail-open count): `sample` sets its values. */
  gauge(name: string, help: string, labelNames: string[], sample: (set: (labels: Record<string, string>, value: number) => void) => Promise<void> | void): void {
    if (!this.enabled) return;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        await sample((labels, value) => this.set(labels, value));
      },
    });
  }

  /** Adds a counter whose value the process keeps elsewhere (the limiter's fail-open count), read at scrape time. */
  counterOf(name: string, help: string, read: () => number): void {
    if (!this.enabled) return;
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private counter<L extends string>(c: CounterConfiguration<L>): Counter<L> {
    return new Counter({ ...c, registers: [this.registry] });
  }

  private histogram<L extends string>(c: HistogramConfiguration<L>): Histogram<L> {
    return new Histogram({ buckets: SECONDS, ...c, registers: [this.registry] });
  }
}
