import type { IncomingHttpHeaders } from 'node:http';
import { ROOT_CONTEXT, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { RequestTrace, Surface } from '@gw/inference';
import { OtelRequestTrace } from './request-trace';

const getter = {
  keys: (carrier: IncomingHttpHeaders) => Object.keys(carrier),
  get: (carrier: IncomingHttpHeaders, key: string) => carrier[key],
};

export interface TracingOptions {
  /** OTLP/HTTP endpoint (`http://collector:4318`); spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  serviceName: string;
  /** `inference`, `control` or `all`: the resource's `service.instance.role`. */
  role: string;
}

/**
 * OpenTelemetry tracing of the inference requests (issue 13), on only with OTEL_EXPORTER_OTLP_ENDPOINT: one span per
 * generation request, child spans for its stages, exported in batches over OTLP/HTTP. An incoming W3C `traceparent`
 * is the parent, and the upstream call passes its own span on. The provider is not registered globally: nothing else
 * in the process is traced by accident, and with tracing off no span object is ever created.
 */
export class Tracing {
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(opts: TracingOptions) {
    const url = `${opts.endpoint.replace(/\/+$/, '')}/v1/traces`;
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': opts.serviceName, 'gateway.role': opts.role }),
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }), scheduledDelayMillis: 1_000 })],
    });
    this.tracer = this.provider.getTracer('llm-policy-gateway');
  }

  startRequest(requestId: string, method: string, url: string, headers: IncomingHttpHeaders, surface: Surface): RequestTrace {
    const parent = this.propagator.extract(ROOT_CONTEXT, headers, getter);
    const attributes = { 'gateway.surface': surface, 'gateway.request_id': requestId, 'http.request.method': method, 'url.path': url.split('?', 1)[0] };
    return new OtelRequestTrace(this.tracer, this.propagator, parent, requestId, attributes);
  }

  /** Exports what is buffered and stops (shutdown). */
  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
