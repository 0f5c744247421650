import type { ChainedAuditEvent } from '../../chain/audit-event.types';
import { secretValues } from '../connector-secrets';
import type { ConnectorConfigs, ConnectorKind, DeliveryResult, Sender } from '../connector.types';
import { sendOtlpLogs } from './otlp-logs';
import { sendS3 } from './s3';
import { sendSplunkHec } from './splunk-hec';
import { sendWebhook } from './webhook';

export { REPLAY_WINDOW_SECONDS, sendWebhook, webhookSignature } from './webhook';
export { HEC_BUSY, sendSplunkHec } from './splunk-hec';
export { s3Key, sendS3 } from './s3';
export { sendOtlpLogs } from './otlp-logs';
export { isRetryableStatus } from './http';

/** The sender of each kind. */
export const SENDERS: { [K in ConnectorKind]: Sender<K> } = {
  webhook: (c, e, s) => sendWebhook(c, e, s),
  splunk_hec: sendSplunkHec,
  s3: sendS3,
  otlp_logs: sendOtlpLogs,
};

const MAX_ERROR_CHARS = 300;

/** `text` with every secret of the config (4 characters or longer) replaced by `****`, and clipped. */
export function scrubError(kind: ConnectorKind, config: object, text: string): string {
  let out = text;
  for (const secret of secretValues(kind, config)) if (secret.length >= 4) out = out.split(secret).join('****');
  return out.length > MAX_ERROR_CHARS ? `${out.slice(0, MAX_ERROR_CHARS)}…` : out;
}

/**
 * Delivers a batch with the sender of `kind` (config already validated and opened). Never throws: an unexpected
 * exception becomes a non-retryable failure (it would fail the same way again; the batch goes to the dead-letter
 * list, where a fixed release can replay it). Error strings are scrubbed of the config's secrets whatever their
 * origin, as a second line behind the senders, which build them from statuses and codes only.
 */
export async function sendBatch<K extends ConnectorKind>(kind: K, config: ConnectorConfigs[K], events: ChainedAuditEvent[], signal?: AbortSignal): Promise<DeliveryResult> {
  let result: DeliveryResult;
  try {
    result = await (SENDERS[kind] as Sender<K>)(config, events, signal);
  } catch (err) {
    result = { ok: false, delivered: 0, retryable: false, error: `internal error in the ${kind} sender: ${(err as Error)?.message ?? String(err)}` };
  }
  return result.ok ? result : { ...result, error: scrubError(kind, config, result.error) };
}
