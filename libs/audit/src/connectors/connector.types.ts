import type { ChainedAuditEvent } from '../chain/audit-event.types';

/**
 * Connectors deliver an organisation's audit events to its SIEM or archive (issue 11 item 6, spec §4.10). This
 * layer is pure delivery: validated configs, the wire payload, one sender per kind and a retry schedule. Queueing,
 * storage and the API sit on top of it and can change without touching the wire formats.
 */
export const CONNECTOR_KINDS = ['webhook', 'splunk_hec', 's3', 'otlp_logs'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

/** HTTP header name → value. Values may be credentials (`authorization`), so they are secret fields. */
export type HeaderMap = Record<string, string>;

/** One `POST` per event, signed (see `senders/webhook.ts` for the signature and the replay window). */
export interface WebhookConfig {
  url: string;
  headers?: HeaderMap;
  /** HMAC-SHA256 key of `x-gateway-signature`; at least 16 characters. */
  secret: string;
  timeout_ms: number;
  /** `false` accepts self-signed certificates (a receiver on a private network); the default verifies. */
  verify_tls: boolean;
}

/** Splunk HTTP Event Collector: one batch `POST` per delivery. */
export interface SplunkHecConfig {
  /** `https://host:8088/services/collector/event`. */
  url: string;
  token: string;
  index?: string;
  sourcetype: string;
  source: string;
  timeout_ms: number;
  /** Splunk ships HEC with a self-signed certificate; `false` accepts it. */
  verify_tls: boolean;
}

/** Amazon S3 or an S3-compatible store (MinIO, R2, B2, Wasabi…): one JSON Lines object per batch. */
export interface S3Config {
  bucket: string;
  region: string;
  /** Set for S3-compatible stores; requests are then path-style (`<endpoint>/<bucket>/<key>`). */
  endpoint?: string;
  access_key_id: string;
  secret_access_key: string;
  /** Empty or ending in `/`. */
  prefix: string;
  sse?: 'AES256' | 'aws:kms';
  /** Only with `sse: 'aws:kms'`; without it the bucket's default KMS key is used. */
  kms_key_id?: string;
  timeout_ms: number;
}

/** OpenTelemetry logs over OTLP/HTTP with JSON encoding. */
export interface OtlpLogsConfig {
  /** `http(s)://collector:4318/v1/logs`. */
  url: string;
  headers?: HeaderMap;
  timeout_ms: number;
}

export interface ConnectorConfigs {
  webhook: WebhookConfig;
  splunk_hec: SplunkHecConfig;
  s3: S3Config;
  otlp_logs: OtlpLogsConfig;
}

export type ConnectorConfig = ConnectorConfigs[ConnectorKind];

/**
 * The outcome of delivering one batch. `delivered` counts the events at the head of the batch the receiver
 * acknowledged (the webhook posts one by one; the other kinds are all or nothing), so a retry can resend only
 * `events.slice(delivered)`. `error` names the failure without secrets or payload.
 */
export type DeliveryResult =
  | { ok: true; delivered: number }
  | {
      ok: false;
      delivered: number;
      /** True for timeouts, network errors, 408, 429 and 5xx: the same batch may succeed later. */
      retryable: boolean;
      status?: number;
      error: string;
      /** The receiver's `Retry-After`, in ms, when it sent one. */
      retryAfterMs?: number;
    };

/** Delivers a batch to one kind of destination. `signal` aborts an in-flight delivery (shutdown). */
export type Sender<K extends ConnectorKind> = (config: ConnectorConfigs[K], events: ChainedAuditEvent[], signal?: AbortSignal) => Promise<DeliveryResult>;
