import type { ChainedAuditEvent } from '../../chain/audit-event.types';
import type { DeliveryResult, SplunkHecConfig } from '../connector.types';
import { epochMs, policyEventPayload } from '../payload';
import { originOf, postOnce, statusFailure, type Failure, type HttpAnswer } from './http';

/**
 * Splunk HTTP Event Collector (spec §4.10): one `POST` per batch to `/services/collector/event`, the body being
 * HEC's batch format, event objects one after another (newline separated):
 * `{"time":<epoch s.ms>,"source":…,"sourcetype":"_json","index":…,"event":<payload>}`.
 * `time` is when the event happened (`occurred_at`), which Splunk indexes as `_time`.
 *
 * HEC answers `{"text":"Success","code":0}`; any other code is a failure. HEC is all or nothing for a batch
 * (without indexer acknowledgement it cannot say which events it took), so a failed batch is retried whole and
 * searches dedupe on `event.event_id`. Code 9 ("server is busy") is retryable, whatever the status; the
 * others (2/3/4 token, 6 data format…) are configuration errors unless the status itself says retry.
 */

/** HEC's "server is busy": back off and retry. */
export const HEC_BUSY = 9;

/** One event in HEC's event format. */
export function hecEvent(config: SplunkHecConfig, e: ChainedAuditEvent): Record<string, unknown> {
  return {
    time: epochMs(e.occurred_at) / 1000,
    source: config.source,
    sourcetype: config.sourcetype,
    ...(config.index !== undefined ? { index: config.index } : {}),
    event: policyEventPayload(e),
  };
}

/** The batch body: HEC event objects, newline separated. */
export const hecBody = (config: SplunkHecConfig, events: ChainedAuditEvent[]): string => events.map((e) => JSON.stringify(hecEvent(config, e))).join('\n');

/**
 * HEC's status codes (Splunk docs, "Troubleshoot HTTP Event Collector"). Errors quote this table, never the
 * receiver's own text, which a proxy or a hostile receiver could fill with our headers or payload.
 */
const HEC_CODES: Record<number, string> = {
  1: 'token disabled',
  2: 'token is required',
  3: 'invalid authorization',
  4: 'invalid token',
  5: 'no data',
  6: 'invalid data format',
  7: 'incorrect index',
  8: 'internal server error',
  9: 'server is busy',
  10: 'data channel is missing',
  11: 'invalid data channel',
  12: 'event field is required',
  13: 'event field cannot be blank',
  14: 'ACK is disabled',
  15: 'error in handling indexed fields',
  16: 'query string authorization is not enabled',
};

/** HEC's acknowledgement code, or null when the answer is not one. */
function hecCode(text: string): number | null {
  try {
    const v = JSON.parse(text) as { code?: unknown };
    return typeof v?.code === 'number' && Number.isInteger(v.code) ? v.code : null;
  } catch {
    return null;
  }
}

const describeCode = (code: number): string => `HEC code ${code}${HEC_CODES[code] ? ` (${HEC_CODES[code]})` : ''}`;

/** What an answer means. */
function interpret(answer: HttpAnswer, url: string): Failure | null {
  const code = hecCode(answer.text);
  if (answer.status < 200 || answer.status >= 300) {
    const f = statusFailure(answer, url, code === null ? undefined : describeCode(code));
    return code === HEC_BUSY ? { ...f, retryable: true } : f;
  }
  if (code === null) return { retryable: false, status: answer.status, error: `HTTP ${answer.status} from ${originOf(url)}: the answer is not an HEC acknowledgement` };
  if (code !== 0) return { retryable: code === HEC_BUSY, status: answer.status, error: `${describeCode(code)} from ${originOf(url)}` };
  return null;
}

/** Delivers the batch in one request. */
export async function sendSplunkHec(config: SplunkHecConfig, events: ChainedAuditEvent[], signal?: AbortSignal): Promise<DeliveryResult> {
  if (events.length === 0) return { ok: true, delivered: 0 };
  const out = await postOnce({
    url: config.url,
    headers: { authorization: `Splunk ${config.token}`, 'content-type': 'application/json', 'user-agent': 'policy-gateway-connector/1' },
    body: hecBody(config, events),
    timeoutMs: config.timeout_ms,
    verifyTls: config.verify_tls,
    signal,
  });
  if ('failure' in out) return { ok: false, delivered: 0, ...out.failure };
  const failure = interpret(out.answer, config.url);
  return failure ? { ok: false, delivered: 0, ...failure } : { ok: true, delivered: events.length };
}
