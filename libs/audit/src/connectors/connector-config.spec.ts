import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectorConfigError, maskConfig, parseConnectorConfig, restoreMaskedSecrets, SECRET_FIELDS, type ConfigIssue } from './connector-config';
import type { ConnectorKind } from './connector.types';

const SECRET = 'whsec_0123456789abcdefXYZ9';
const webhook = { url: 'https://siem.example.com/hooks/audit', secret: SECRET, headers: { authorization: 'Bearer tok_0123456789abcd' } };
const splunk = { url: 'https://splunk.example.com:8088/services/collector/event', token: '11111111-2222-3333-4444-555555555555' };
const s3 = { bucket: 'audit-archive', region: 'eu-west-1', access_key_id: 'AKIAEXAMPLE', secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const otlp = { url: 'http://collector:4318/v1/logs' };

/** The issues of a config that must be refused. */
function issues(kind: ConnectorKind, input: unknown): ConfigIssue[] {
  try {
    parseConnectorConfig(kind, input);
  } catch (err) {
    assert.ok(err instanceof ConnectorConfigError, `expected ConnectorConfigError, got ${String(err)}`);
    assert.match(err.message, /^Invalid connector config: /);
    return err.issues;
  }
  assert.fail(`config of ${kind} was accepted: ${JSON.stringify(input)}`);
}
const fields = (kind: ConnectorKind, input: unknown): string[] => issues(kind, input).map((i) => i.field);

describe('parseConnectorConfig', () => {
  it('accepts minimal configs of every kind and fills the defaults, without modifying the input', () => {
    const input = structuredClone(webhook);
    assert.deepEqual(parseConnectorConfig('webhook', input), { ...webhook, timeout_ms: 10_000, verify_tls: true });
    assert.deepEqual(input, webhook);
    assert.deepEqual(parseConnectorConfig('splunk_hec', splunk), { ...splunk, sourcetype: '_json', source: 'policy-gateway', timeout_ms: 10_000, verify_tls: true });
    assert.deepEqual(parseConnectorConfig('s3', s3), { ...s3, prefix: 'policy-gateway/', timeout_ms: 10_000 });
    assert.deepEqual(parseConnectorConfig('otlp_logs', otlp), { ...otlp, timeout_ms: 10_000 });
  });

  it('keeps explicit values over defaults', () => {
    const c = parseConnectorConfig('s3', { ...s3, prefix: '', endpoint: 'http://minio:9000', sse: 'aws:kms', kms_key_id: 'arn:aws:kms:eu-west-1:1:key/abc', timeout_ms: 500 });
    assert.equal(c.prefix, '');
    assert.equal(c.timeout_ms, 500);
    assert.equal(c.sse, 'aws:kms');
  });

  it('refuses unknown fields, naming each', () => {
    assert.deepEqual(issues('webhook', { ...webhook, verifyTls: false, extra: 1 }), [
      { field: 'verifyTls', message: "'verifyTls' is not a known field" },
      { field: 'extra', message: "'extra' is not a known field" },
    ]);
    assert.deepEqual(fields('otlp_logs', { ...otlp, secret: 'x' }), ['secret']);
  });

  it('names missing required fields', () => {
    assert.deepEqual(issues('s3', { bucket: 'audit-archive' }), [
      { field: 'region', message: "'region' is required" },
      { field: 'access_key_id', message: "'access_key_id' is required" },
      { field: 'secret_access_key', message: "'secret_access_key' is required" },
    ]);
  });

  it('checks URLs per kind', () => {
    assert.deepEqual(fields('webhook', { ...webhook, url: 'ftp://example.com/x' }), ['url']);
    assert.deepEqual(fields('webhook', { ...webhook, url: 'https://user:pw@example.com/x' }), ['url']);
    assert.deepEqual(fields('webhook', { ...webhook, url: 'not a url' }), ['url']);
    assert.deepEqual(fields('splunk_hec', { ...splunk, url: 'https://splunk.example.com:8088/services/collector/raw' }), ['url']);
    assert.deepEqual(fields('otlp_logs', { url: 'http://collector:4318/v1/traces' }), ['url']);
    assert.match(issues('splunk_hec', { ...splunk, url: 'https://x/' })[0].message, /\/services\/collector\/event/);
  });

  it('refuses a short webhook secret without quoting it', () => {
    const [issue] = issues('webhook', { ...webhook, secret: 'short-secret' });
    assert.deepEqual(issue, { field: 'secret', message: "'secret' must be at least 16 characters long" });
  });

  it('checks header names and values, naming the header', () => {
    assert.deepEqual(fields('webhook', { ...webhook, headers: { 'Content-Type': 'text/plain' } }), ['headers.Content-Type']);
    assert.deepEqual(fields('webhook', { ...webhook, headers: { 'X-Gateway-Signature': 'v1=forged' } }), ['headers.X-Gateway-Signature']);
    assert.deepEqual(fields('otlp_logs', { ...otlp, headers: { 'bad name': 'x' } }), ['headers.bad name']);
    const [issue] = issues('otlp_logs', { ...otlp, headers: { 'x-api-key': 'abc\r\nx-injected: 1' } });
    assert.equal(issue.field, 'headers.x-api-key');
    assert.doesNotMatch(issue.message, /injected/);
    assert.deepEqual(fields('webhook', { ...webhook, headers: { a: 1 } }), ['headers.a']);
    assert.deepEqual(fields('splunk_hec', { ...splunk, token: 'tökén' }), ['token'], 'the token goes in a header');
  });

  it('checks numbers, types and enums', () => {
    assert.deepEqual(issues('webhook', { ...webhook, timeout_ms: 50 }), [{ field: 'timeout_ms', message: "'timeout_ms' must be >= 100" }]);
    assert.deepEqual(issues('webhook', { ...webhook, timeout_ms: '1000' }), [{ field: 'timeout_ms', message: "'timeout_ms' must be of type integer" }]);
    assert.deepEqual(fields('webhook', { ...webhook, verify_tls: 'no' }), ['verify_tls']);
    assert.deepEqual(issues('s3', { ...s3, sse: 'DES' }), [{ field: 'sse', message: `'sse' must be one of "AES256", "aws:kms"` }]);
  });

  it('checks S3 names and the SSE-KMS pairing', () => {
    assert.deepEqual(fields('s3', { ...s3, bucket: 'My_Bucket' }), ['bucket']);
    assert.deepEqual(fields('s3', { ...s3, region: 'EU West' }), ['region']);
    assert.deepEqual(fields('s3', { ...s3, prefix: 'audit' }), ['prefix']);
    assert.deepEqual(fields('s3', { ...s3, prefix: '/audit/' }), ['prefix']);
    assert.deepEqual(fields('s3', { ...s3, kms_key_id: 'k' }), ['kms_key_id']);
    assert.deepEqual(fields('s3', { ...s3, sse: 'AES256', kms_key_id: 'k' }), ['kms_key_id']);
  });

  it('reports every problem at once', () => {
    assert.deepEqual(fields('webhook', { url: 'x', secret: 1, timeout_ms: 999_999, what: true }), ['what', 'url', 'secret', 'timeout_ms']);
  });

  it('refuses an unknown kind and a config that is not an object', () => {
    assert.deepEqual(fields('kafka' as ConnectorKind, {}), ['kind']);
    assert.deepEqual(fields('webhook', [webhook]), ['(config)']);
    assert.deepEqual(fields('webhook', null), ['(config)']);
  });
});

describe('maskConfig', () => {
  it('masks every secret field of every kind, leaving other fields as they are', () => {
    assert.deepEqual(maskConfig('webhook', parseConnectorConfig('webhook', { ...webhook, headers: { authorization: 'Bearer tok_0123456789abcd', 'x-short': 'abc' } })), {
      url: webhook.url,
      secret: '****XYZ9',
      headers: { authorization: '****abcd', 'x-short': '****' },
      timeout_ms: 10_000,
      verify_tls: true,
    });
    assert.equal(maskConfig('splunk_hec', parseConnectorConfig('splunk_hec', splunk)).token, '****5555');
    const masked = maskConfig('s3', parseConnectorConfig('s3', s3));
    assert.equal(masked.secret_access_key, '****EKEY');
    assert.equal(masked.access_key_id, s3.access_key_id);
    assert.equal(maskConfig('otlp_logs', { url: otlp.url, timeout_ms: 1000 }).headers, undefined);
  });

  it('does not modify the stored config', () => {
    const stored = parseConnectorConfig('webhook', webhook);
    maskConfig('webhook', stored);
    assert.equal(stored.secret, SECRET);
    assert.equal(stored.headers?.authorization, webhook.headers.authorization);
  });

  it('names a secret field for each kind', () => {
    assert.deepEqual(SECRET_FIELDS, { webhook: ['secret', 'headers.*'], splunk_hec: ['token'], s3: ['secret_access_key'], otlp_logs: ['headers.*'] });
  });
});

describe('restoreMaskedSecrets', () => {
  it('keeps stored secrets a client sent back masked, and takes new ones', () => {
    const stored = parseConnectorConfig('webhook', webhook);
    const edited = { ...maskConfig('webhook', stored), url: 'https://other.example.com/h', headers: { authorization: '****abcd', 'x-new': 'fresh-value' } };
    const restored = restoreMaskedSecrets('webhook', edited, stored);
    assert.equal(restored.secret, SECRET);
    assert.deepEqual(restored.headers, { authorization: webhook.headers.authorization, 'x-new': 'fresh-value' });
    assert.equal(parseConnectorConfig('webhook', restored).url, 'https://other.example.com/h');
    assert.equal(restoreMaskedSecrets('webhook', { ...edited, secret: 'a-brand-new-secret-value' }, stored).secret, 'a-brand-new-secret-value');
  });
});
