import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecretBoxError } from '../connectors/secret-box';
import { contentKey, contentKeyId, ContentVault, MAX_RETAINED_CHARS } from './content-vault';

const key = randomBytes(32);
const sut = new ContentVault(key, 30);
const org = randomUUID();
const event = randomUUID();
const at = new Date('2026-03-01T12:00:00.000Z');

describe(ContentVault.name, () => {
  it('seals prompt and output so neither text is in the record, and opens them for the same org, event and field', () => {
    const c = sut.seal(org, event, { prompt: 'my salary is 123456', output: 'noted ✓' }, at, null);
    assert.equal(JSON.stringify(c).includes('123456'), false);
    assert.equal(JSON.stringify(c).includes('noted'), false);
    assert.equal(sut.open(org, event, 'prompt', c.prompt!), 'my salary is 123456');
    assert.equal(sut.open(org, event, 'output', c.output!), 'noted ✓');
    assert.equal(c.truncated, undefined);
  });

  it('binds each value to its org, event and field: moved anywhere else it does not open', () => {
    const c = sut.seal(org, event, { prompt: 'p', output: 'o' }, at, null);
    assert.throws(() => sut.open(randomUUID(), event, 'prompt', c.prompt!), SecretBoxError);
    assert.throws(() => sut.open(org, randomUUID(), 'prompt', c.prompt!), SecretBoxError);
    assert.throws(() => sut.open(org, event, 'output', c.prompt!), SecretBoxError, 'a prompt cannot pass as the output');
    assert.throws(() => new ContentVault(randomBytes(32), 30).open(org, event, 'prompt', c.prompt!), SecretBoxError, 'another key');
  });

  it("expires after the policy's days, else the default; names the key; leaves out fields with no text", () => {
    const c = sut.seal(org, event, { prompt: 'refused prompt', output: null }, at, 7);
    assert.equal(c.expires_at, '2026-03-08T12:00:00.000Z');
    assert.equal(sut.seal(org, event, { prompt: 'x', output: null }, at, null).expires_at, '2026-03-31T12:00:00.000Z');
    assert.equal('output' in c, false);
    assert.equal(c.key_id, createHash('sha256').update(key).digest('hex').slice(0, 8));
    assert.equal(sut.keyId, contentKeyId(key));
  });

  it('cuts a text past the retained length and says which', () => {
    const c = sut.seal(org, event, { prompt: 'x'.repeat(MAX_RETAINED_CHARS + 5), output: 'short' }, at, null);
    assert.deepEqual(c.truncated, ['prompt']);
    assert.equal(sut.open(org, event, 'prompt', c.prompt!).length, MAX_RETAINED_CHARS);
  });
});

describe(contentKey.name, () => {
  it('takes AUDIT_CONTENT_KEY when set, else derives one key from the JWT secret (the same in every process), distinct from it', () => {
    const configured = randomBytes(32);
    assert.deepEqual(contentKey(configured.toString('base64'), 'j'.repeat(32)), configured);
    const derived = contentKey(undefined, 'j'.repeat(32));
    assert.equal(derived.length, 32);
    assert.deepEqual(contentKey(undefined, 'j'.repeat(32)), derived);
    assert.notDeepEqual(contentKey(undefined, 'k'.repeat(32)), derived);
    assert.equal(derived.toString('utf8').includes('jjjj'), false);
  });
});
