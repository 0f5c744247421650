import { listenLocal } from '../local-http-server';

/** One exported span, flattened from OTLP/JSON (`resourceSpans[].scopeSpans[].spans[]`). */
export interface ReceivedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  kind: number;
  status: { code?: number; message?: string };
  attributes: Record<string, string | number | boolean | unknown[]>;
  resource: Record<string, string | number | boolean | unknown[]>;
}

export interface FakeOtlp {
  /** The endpoint to configure (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans are POSTed to `<url>/v1/traces`. */
  url: string;
  spans: ReceivedSpan[];
  /** Every request body as received (to search for what must never be exported). */
  bodies: string[];
  close(): Promise<void>;
}

type OtlpValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: OtlpValue[] } };
type OtlpAttr = { key: string; value: OtlpValue };
type OtlpSpan = { name: string; traceId: string; spanId: string; parentSpanId?: string; kind: number; status?: ReceivedSpan['status']; attributes?: OtlpAttr[] };

function valueOf(v: OtlpValue): string | number | boolean | unknown[] {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return (v.arrayValue?.values ?? []).map(valueOf);
}

const attrs = (list: OtlpAttr[] | undefined) => Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));

/**
 * A local OTLP/HTTP trace receiver speaking the real protocol's JSON encoding (what `@opentelemetry/exporter-trace-
 * otlp-http` sends): answers `POST /v1/traces` with an empty export response and keeps the spans.
 */
export async function startFakeOtlp(): Promise<FakeOtlp> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const server = await listenLocal((req, res, raw) => {
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    bodies.push(raw);
    try {
      const body = JSON.parse(raw) as { resourceSpans?: Array<{ resource?: { attributes?: OtlpAttr[] }; scopeSpans?: Array<{ spans?: OtlpSpan[] }> }> };
      for (const rs of body.resourceSpans ?? []) {
        const resource = attrs(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              name: s.name,
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              kind: s.kind,
              status: s.status ?? {},
              attributes: attrs(s.attributes),
              resource,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":3,"message":"not OTLP/JSON"}');
    }
  }, new Set());
  return { url: `http://127.0.0.1:${server.port}`, spans, bodies, close: () => server.close() };
}
