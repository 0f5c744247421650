import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parseConnectorConfig } from '../connector-config';
import type { S3Config } from '../connector.types';
import { policyEventPayload } from '../payload';
import { chain, enforcementEvent, makeEvents, startS3Receiver, type S3Receiver } from '../testing/receivers';
import { s3Key, sendS3 } from './s3';

const KEY_ID = 'AKIATESTKEY0001';
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';
const events = makeEvents(6);
const batch = events.slice(0, 3);

describe('S3 sender', () => {
  let rx: S3Receiver;
  let config: S3Config;
  before(async () => {
    rx = await startS3Receiver({ accessKeyId: KEY_ID, bucket: 'audit-archive' });
  });
  after(() => rx.close());
  beforeEach(() => {
    rx.objects.clear();
    rx.puts.length = 0;
    rx.faults.reset();
    config = parseConnectorConfig('s3', { bucket: 'audit-archive', region: 'us-east-1', endpoint: rx.endpoint, access_key_id: KEY_ID, secret_access_key: SECRET_KEY, timeout_ms: 3_000 });
  });

  it('writes a batch of 3 as one JSON Lines object under date=YYYY-MM-DD/, exactly as stored', async () => {
    assert.deepEqual(await sendS3(config, batch), { ok: true, delivered: 3 });
    const key = `policy-gateway/date=2026-04-20/${Date.parse(batch[0].created_at)}-${batch[0].event_id}.jsonl`;
    assert.deepEqual(rx.puts, [`audit-archive/${key}`]);
    const stored = rx.objects.get(`audit-archive/${key}`)!;
    assert.equal(stored.contentType, 'application/x-ndjson');
    const text = stored.body.toString('utf8');
    assert.ok(text.endsWith('\n'));
    assert.deepEqual(text.trimEnd().split('\n').map((l) => JSON.parse(l)), batch.map((e) => JSON.parse(JSON.stringify(policyEventPayload(e)))));
  });

  it('reads back through the S3 API (path-style GET)', async () => {
    await sendS3(config, batch);
    const client = new S3Client({ region: 'us-east-1', endpoint: rx.endpoint, forcePathStyle: true, credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET_KEY } });
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: 'audit-archive', Key: s3Key(config, batch) }));
      assert.equal(await got.Body!.transformToString(), rx.objects.get(`audit-archive/${s3Key(config, batch)}`)!.body.toString('utf8'));
    } finally {
      client.destroy();
    }
  });

  it('overwrites the same object when a batch is retried (idempotent), and writes another for another batch', async () => {
    await sendS3(config, batch);
    const first = [...rx.objects.values()][0].body.toString('utf8');
    await sendS3(config, batch);
    assert.equal(rx.puts.length, 2);
    assert.equal(rx.objects.size, 1);
    assert.equal([...rx.objects.values()][0].body.toString('utf8'), first);
    await sendS3(config, events.slice(3));
    assert.equal(rx.objects.size, 2);
  });

  it('dates the key by the first event in UTC, with the configured prefix', () => {
    const late = chain([enforcementEvent(1, { created_at: '2026-04-20T23:59:59.900Z' }), enforcementEvent(2, { created_at: '2026-04-21T00:00:00.100Z' })]);
    assert.equal(s3Key({ prefix: 'org-1/audit/' }, late), `org-1/audit/date=2026-04-20/${Date.UTC(2026, 3, 20, 23, 59, 59, 900)}-${late[0].event_id}.jsonl`);
    assert.equal(s3Key({ prefix: '' }, late.slice(1)), `date=2026-04-21/${Date.UTC(2026, 3, 21, 0, 0, 0, 100)}-${late[1].event_id}.jsonl`);
  });

  it('sends the server-side encryption options', async () => {
    await sendS3({ ...config, sse: 'aws:kms', kms_key_id: 'arn:aws:kms:us-east-1:111122223333:key/abcd' }, batch);
    const h = [...rx.objects.values()][0].headers;
    assert.equal(h['x-amz-server-side-encryption'], 'aws:kms');
    assert.equal(h['x-amz-server-side-encryption-aws-kms-key-id'], 'arn:aws:kms:us-east-1:111122223333:key/abcd');
    await sendS3({ ...config, sse: 'AES256' }, events.slice(3));
    assert.equal(rx.objects.get(`audit-archive/${s3Key(config, events.slice(3))}`)!.headers['x-amz-server-side-encryption'], 'AES256');
  });

  it('an unknown access key or bucket fails for good; 503 and 500 are retryable', async () => {
    const badKey = await sendS3({ ...config, access_key_id: 'AKIAUNKNOWN' }, batch);
    assert.deepEqual(badKey, { ok: false, delivered: 0, retryable: false, status: 403, error: 'HTTP 403 InvalidAccessKeyId from s3://audit-archive' });
    const badBucket = await sendS3({ ...config, bucket: 'other-bucket' }, batch);
    assert.deepEqual([badBucket.ok, !badBucket.ok && badBucket.retryable, !badBucket.ok && badBucket.status], [false, false, 404]);
    for (const status of [503, 500]) {
      rx.faults.failNext(1, { status, body: '<Error><Code>SlowDown</Code></Error>' });
      const r = await sendS3(config, batch);
      assert.deepEqual([r.ok, !r.ok && r.retryable, !r.ok && r.status], [false, true, status]);
    }
    assert.equal(rx.objects.size, 0);
  });
});
