import type * as S3 from '@aws-sdk/client-s3';
import type { ChainedAuditEvent } from '../../chain/audit-event.types';
import type { DeliveryResult, S3Config } from '../connector.types';
import { epochMs, payloadJson } from '../payload';
import { isRetryableStatus, type Failure } from './http';

/**
 * Amazon S3 and S3-compatible stores: one JSON Lines object per batch (one §4.9.1 payload per line, each line
 * ending in `\n`), at `<prefix>date=YYYY-MM-DD/<created_at ms>-<event_id>.jsonl`, both taken from the batch's
 * first event (the date in UTC). The key is a function of the batch, so a retried batch overwrites its own object
 * instead of adding a copy; `date=` partitions are what Athena, Glue and Spark read as a partition column.
 *
 * The SDK's own retries are off (`maxAttempts: 1`): the queue owns the retry schedule. Checksums are only sent
 * where S3 requires them, because several S3-compatible stores refuse the SDK's newer default checksum headers.
 */

/** The object key of a batch. */
export function s3Key(config: Pick<S3Config, 'prefix'>, events: ChainedAuditEvent[]): string {
  const first = events[0];
  const ms = epochMs(first.created_at);
  return `${config.prefix}date=${new Date(ms).toISOString().slice(0, 10)}/${ms}-${first.event_id}.jsonl`;
}

/** The object body: JSON Lines of the payloads. */
export const s3Body = (events: ChainedAuditEvent[]): string => events.map((e) => `${payloadJson(e)}\n`).join('');

/**
 * The AWS SDK, loaded on the first S3 delivery: `@gw/audit` is imported by the inference app too, which never
 * delivers, and the SDK costs tens of MB and milliseconds of start-up.
 */
let sdk: Promise<typeof S3> | undefined;
const loadSdk = (): Promise<typeof S3> => (sdk ??= import('@aws-sdk/client-s3'));

/** A client for one delivery; path-style addressing for S3-compatible endpoints (MinIO has no virtual hosts). */
function clientOf(S3Client: typeof S3.S3Client, config: S3Config): S3.S3Client {
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint, forcePathStyle: true } : {}),
    credentials: { accessKeyId: config.access_key_id, secretAccessKey: config.secret_access_key },
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** The failure of a PutObject: the S3 error code and status, never the SDK's message (free text of a third party). */
function s3Failure(err: unknown, config: S3Config, timedOut: boolean, aborted: boolean): Failure {
  const where = `s3://${config.bucket}`;
  if (timedOut) return { retryable: true, error: `no answer from ${where} within ${config.timeout_ms} ms` };
  if (aborted) return { retryable: true, error: `delivery to ${where} aborted` };
  const e = err as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = typeof e?.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const name = (typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'Error').replace(/[^\w.-]/g, '').slice(0, 64);
  if (status === undefined) return { retryable: true, error: `${name} from ${where}` };
  return { retryable: isRetryableStatus(status), status, error: `HTTP ${status} ${name} from ${where}` };
}

/** Writes the batch as one object. */
export async function sendS3(config: S3Config, events: ChainedAuditEvent[], signal?: AbortSignal): Promise<DeliveryResult> {
  if (events.length === 0) return { ok: true, delivered: 0 };
  // Built outside the try: a bad event is a data error (not retryable), not a failure of the store.
  const { S3Client, PutObjectCommand } = await loadSdk();
  const put = new PutObjectCommand({
    Bucket: config.bucket,
    Key: s3Key(config, events),
    Body: s3Body(events),
    ContentType: 'application/x-ndjson',
    ...(config.sse ? { ServerSideEncryption: config.sse } : {}),
    ...(config.kms_key_id ? { SSEKMSKeyId: config.kms_key_id } : {}),
  });
  const client = clientOf(S3Client, config);
  const deadline = AbortSignal.timeout(config.timeout_ms);
  const abortSignal = signal ? AbortSignal.any([signal, deadline]) : deadline;
  try {
    await client.send(put, { abortSignal });
    return { ok: true, delivered: events.length };
  } catch (err) {
    return { ok: false, delivered: 0, ...s3Failure(err, config, deadline.aborted, signal?.aborted === true) };
  } finally {
    client.destroy();
  }
}
