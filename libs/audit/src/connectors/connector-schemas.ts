import type { ConnectorKind } from './connector.types';

/**
 * JSON Schemas of the connector configs, one per kind. Every object refuses unknown fields (a typo such as
 * `verifyTls` must not silently keep the default), and string checks are named formats so that an error can say
 * in words what was expected (see {@link FORMAT_DESCRIPTIONS}); a rejected value is never echoed (it may be a secret).
 */

/** Headers the senders set themselves or that HTTP forbids a user to set; `x-gateway-*` is ours. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** True when `v` holds a C0 control character or DEL (log injection, header splitting). */
const hasControl = (v: string): boolean => {
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) < 0x20 || v.charCodeAt(i) === 0x7f) return true;
  return false;
};

function httpUrl(v: string): URL | null {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && !u.hash ? u : null;
  } catch {
    return null;
  }
}

/** Format name → check. Registered on the validator in `connector-config.ts`. */
export const FORMATS: Record<string, (v: string) => boolean> = {
  'http-url': (v) => httpUrl(v) !== null,
  'splunk-hec-url': (v) => httpUrl(v)?.pathname.replace(/\/+$/, '').endsWith('/services/collector/event') === true,
  'otlp-logs-url': (v) => httpUrl(v)?.pathname.replace(/\/+$/, '').endsWith('/v1/logs') === true,
  'header-name': (v) => TOKEN.test(v) && !RESERVED_HEADERS.has(v.toLowerCase()) && !v.toLowerCase().startsWith('x-gateway-'),
  'header-value': (v) => /^[\t\u0020-\u007e]*$/.test(v),
  'plain-text': (v) => !hasControl(v),
  // S3 bucket naming rules (3–63 characters, lower case, digits, dots and hyphens, letter or digit at both ends).
  's3-bucket': (v) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) && !v.includes('..'),
  'aws-region': (v) => /^[a-z0-9][a-z0-9-]{0,62}$/.test(v),
  's3-prefix': (v) => v === '' || (v.endsWith('/') && !v.startsWith('/') && !hasControl(v) && !v.includes('//')),
};

/** What each format means, for error messages. */
export const FORMAT_DESCRIPTIONS: Record<string, string> = {
  'http-url': 'an http:// or https:// URL without user info or fragment (put credentials in headers)',
  'splunk-hec-url': 'an http(s) URL whose path ends in /services/collector/event',
  'otlp-logs-url': 'an http(s) URL whose path ends in /v1/logs',
  'header-name': 'an HTTP header name (token characters) other than content-type, content-length, host, hop-by-hop headers and x-gateway-*',
  'header-value': 'printable ASCII without line breaks',
  'plain-text': 'text without control characters',
  's3-bucket': 'an S3 bucket name (3-63 lower-case letters, digits, dots or hyphens)',
  'aws-region': 'a region name such as us-east-1',
  's3-prefix': "empty or a key prefix ending in '/' (not starting with '/', no '//')",
};

const text = (maxLength: number, minLength = 1) => ({ type: 'string', minLength, maxLength, format: 'plain-text' });
const timeout = { type: 'integer', minimum: 100, maximum: 120_000, default: 10_000 };
const headers = {
  type: 'object',
  maxProperties: 32,
  propertyNames: { format: 'header-name', maxLength: 128 },
  additionalProperties: { type: 'string', maxLength: 4096, format: 'header-value' },
};

/** The schema of each kind; `default`s are filled in by the validator. */
export const CONNECTOR_SCHEMAS: Record<ConnectorKind, Record<string, unknown>> = {
  webhook: {
    type: 'object',
    required: ['url', 'secret'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', maxLength: 2048, format: 'http-url' },
      headers,
      secret: text(512, 16),
      timeout_ms: timeout,
      verify_tls: { type: 'boolean', default: true },
    },
  },
  splunk_hec: {
    type: 'object',
    required: ['url', 'token'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', maxLength: 2048, format: 'splunk-hec-url' },
      // Sent in the Authorization header: printable ASCII only.
      token: { type: 'string', minLength: 1, maxLength: 512, format: 'header-value' },
      index: text(256),
      sourcetype: { ...text(256), default: '_json' },
      source: { ...text(256), default: 'policy-gateway' },
      timeout_ms: timeout,
      verify_tls: { type: 'boolean', default: true },
    },
  },
  s3: {
    type: 'object',
    required: ['bucket', 'region', 'access_key_id', 'secret_access_key'],
    additionalProperties: false,
    properties: {
      bucket: { type: 'string', format: 's3-bucket' },
      region: { type: 'string', format: 'aws-region' },
      endpoint: { type: 'string', maxLength: 2048, format: 'http-url' },
      access_key_id: text(128),
      secret_access_key: text(256),
      prefix: { type: 'string', maxLength: 512, format: 's3-prefix', default: 'policy-gateway/' },
      sse: { enum: ['AES256', 'aws:kms'] },
      kms_key_id: text(2048),
      timeout_ms: timeout,
    },
  },
  otlp_logs: {
    type: 'object',
    required: ['url'],
    additionalProperties: false,
    properties: {
      url: { type: 'string', maxLength: 2048, format: 'otlp-logs-url' },
      headers,
      timeout_ms: timeout,
    },
  },
};
