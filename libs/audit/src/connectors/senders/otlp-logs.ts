import type { ChainedAuditEvent } from '../../chain/audit-event.types';
import type { DeliveryResult, OtlpLogsConfig } from '../connector.types';
import { epochMs, policyEventPayload, type PolicyEventPayload } from '../payload';
import { originOf, postOnce, statusFailure, type Failure, type HttpAnswer } from './http';

/**
 * OpenTelemetry logs over OTLP/HTTP, JSON encoding (`application/json`, the protobuf JSON mapping: 64-bit
 * integers as strings): one `ExportLogsServiceRequest` per batch, one log record per event. The record's body is
 * the §4.9.1 payload as a JSON string (collectors parse it with a json_parser operator); the fields a pipeline
 * routes on are also attributes. `timeUnixNano` is when the event happened (`occurred_at`), `observedTimeUnixNano`
 * when the gateway recorded it (`created_at`), as the OTel log data model defines them.
 *
 * Answers follow the OTLP/HTTP spec: 2xx is success unless `partialSuccess.rejectedLogRecords` > 0 (a failure
 * that must not be retried: the collector refused those records for good); of the error statuses only 429, 502,
 * 503 and 504 are retryable ("all other 4xx or 5xx response status codes MUST NOT be retried").
 */

export const OTLP_SERVICE_NAME = 'policy-gateway';
export const OTLP_SCOPE_NAME = 'policy-gateway.audit';
/** OTLP SeverityNumber of INFO. */
const SEVERITY_INFO = 9;
const RETRYABLE = new Set([429, 502, 503, 504]);

type AnyValue = { stringValue: string } | { boolValue: boolean } | { intValue: string };
export interface OtlpKeyValue {
  key: string;
  value: AnyValue;
}

const nanos = (iso: string): string => (BigInt(epochMs(iso)) * 1_000_000n).toString();

/** The attributes of an event's record; null fields are left out. */
export function otlpAttributes(p: PolicyEventPayload): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  const text = (key: string, v: string | null) => v !== null && out.push({ key, value: { stringValue: v } });
  text('event.id', p.event_id);
  text('event.type', p.event_type);
  text('event.source', p.source);
  text('org.id', p.org_id);
  text('project.id', p.project_id);
  text('user.id', p.user_id);
  text('policy.id', p.policy_id);
  text('decision', p.decision);
  text('effective_decision', p.effective_decision);
  text('reason_code', p.reason_code);
  text('rollout_mode', p.rollout_mode);
  if (p.enforced !== null) out.push({ key: 'enforced', value: { boolValue: p.enforced } });
  text('model', p.model);
  out.push({ key: 'audit.seq', value: { intValue: String(p.audit.seq) } });
  return out;
}

/** One log record. */
export function otlpLogRecord(e: ChainedAuditEvent): Record<string, unknown> {
  const p = policyEventPayload(e);
  return {
    timeUnixNano: nanos(e.occurred_at),
    observedTimeUnixNano: nanos(e.created_at),
    severityNumber: SEVERITY_INFO,
    severityText: 'INFO',
    body: { stringValue: JSON.stringify(p) },
    attributes: otlpAttributes(p),
  };
}

/** The request body of a batch. */
export function otlpRequest(events: ChainedAuditEvent[]): Record<string, unknown> {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: OTLP_SERVICE_NAME } }] },
        scopeLogs: [{ scope: { name: OTLP_SCOPE_NAME }, logRecords: events.map(otlpLogRecord) }],
      },
    ],
  };
}

/**
 * `partialSuccess.rejectedLogRecords` of an ExportLogsServiceResponse (int64: a string or a number). Its
 * `errorMessage` is not used: it is the collector's free text and may quote the records (our payload).
 */
function rejectedCount(text: string): number {
  try {
    const n = Number((JSON.parse(text) as { partialSuccess?: { rejectedLogRecords?: unknown } })?.partialSuccess?.rejectedLogRecords ?? 0);
    return Number.isFinite(n) ? n : 0;
  } catch {
    return 0; // an empty or non-JSON 2xx body is a full success
  }
}

function interpret(answer: HttpAnswer, url: string, count: number): Failure | null {
  if (answer.status < 200 || answer.status >= 300) return { ...statusFailure(answer, url), retryable: RETRYABLE.has(answer.status) };
  const rejected = rejectedCount(answer.text);
  if (rejected <= 0) return null;
  return { retryable: false, status: answer.status, error: `${rejected} of ${count} log records rejected by ${originOf(url)}` };
}

/** Delivers the batch in one request. */
export async function sendOtlpLogs(config: OtlpLogsConfig, events: ChainedAuditEvent[], signal?: AbortSignal): Promise<DeliveryResult> {
  if (events.length === 0) return { ok: true, delivered: 0 };
  const out = await postOnce({
    url: config.url,
    headers: { ...config.headers, 'content-type': 'application/json', 'user-agent': 'policy-gateway-connector/1' },
    body: JSON.stringify(otlpRequest(events)),
    timeoutMs: config.timeout_ms,
    signal,
  });
  if ('failure' in out) return { ok: false, delivered: 0, ...out.failure };
  const failure = interpret(out.answer, config.url, events.length);
  return failure ? { ok: false, delivered: 0, ...failure } : { ok: true, delivered: events.length };
}
