import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeModeration, type FakeModeration } from '@gw/testing';
import { ClassifierUnavailableError, type CategoryVerdict } from '../engine/types';
import { createClassifier } from './classifier-factory';
import { OpenAIModerationClassifier } from './openai-moderation.classifier';

const KEY = 'sk-test-secret-key-123';
const cats = (list: CategoryVerdict[]): string[] => list.map((v) => v.category).sort();

describe('OpenAIModerationClassifier (against the fake /v1/moderations)', () => {
  let fake: FakeModeration;
  before(async () => (fake = await startFakeModeration({ apiKey: KEY, slowMs: 5_000 })));
  after(() => fake.close());

  const make = (extra: Partial<ConstructorParameters<typeof OpenAIModerationClassifier>[0]> = {}): OpenAIModerationClassifier =>
    new OpenAIModerationClassifier({ baseUrl: `${fake.url}/v1`, apiKey: KEY, timeoutMs: 400, ...extra });

  it('posts {model, input[]} with the bearer key and maps the API flags onto our categories, in order', async () => {
    fake.setMode('ok');
    const c = make({ model: 'omni-moderation-2024-09-26' });
    const before = fake.requests.length;
    const out = await c.classify(['hello', 'flag:hate/threatening flag:self-harm/intent', 'flag:illicit/violent']);
    await c.close();
    const req = fake.requests[before];
    assert.equal(req.path, '/v1/moderations');
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(req.body, { model: 'omni-moderation-2024-09-26', input: ['hello', 'flag:hate/threatening flag:self-harm/intent', 'flag:illicit/violent'] });
    assert.deepEqual(out[0], []);
    assert.deepEqual(cats(out[1]), ['hate', 'hate/threatening', 'self-harm', 'self-harm/intent']);
    assert.deepEqual(cats(out[2]), ['explosives/creation', 'illicit', 'illicit/violent', 'weapons/creation']);
    assert.ok(out[1].every((v) => v.flagged && v.score === 0.9));
  });

  it('uses the API booleans by default and category_scores against a configured threshold', async () => {
    fake.setMode('ok');
    const byFlags = make();
    const byScore = make({ threshold: 0.3 });
    const text = 'flag:harassment=0.4 flag:sexual=0.2';
    assert.deepEqual(await byFlags.classify([text]), [[]]);
    assert.deepEqual(cats((await byScore.classify([text]))[0]), ['harassment']);
    await Promise.all([byFlags.close(), byScore.close()]);
  });

  it('splits long texts and batches pieces by count and characters; a text is flagged if any piece is', async () => {
    fake.setMode('ok');
    const c = make({ maxCharsPerInput: 1_000, maxInputsPerRequest: 3, maxCharsPerRequest: 2_500 });
    const long = `${'lorem ipsum '.repeat(400)} flag:violence ${'dolor sit '.repeat(100)}`;
    const before = fake.requests.length;
    const out = await c.classify([long, 'short and clean']);
    await c.close();
    const sent = fake.requests.slice(before).map((r) => (r.body as { input: string[] }).input);
    assert.ok(sent.length >= 3, `requests: ${sent.length}`);
    for (const input of sent) {
      assert.ok(input.length <= 3 && input.join('').length <= 2_500);
      assert.ok(input.every((s) => s.length <= 1_000));
    }
    assert.ok(sent.flat().some((s) => s.includes('flag:violence')));
    assert.deepEqual(cats(out[0]), ['violence']);
    assert.deepEqual(out[1], []);
  });

  for (const mode of ['down', 'garbage'] as const) {
    it(`rejects with ClassifierUnavailableError when the upstream is ${mode}, without text or key in the message`, async () => {
      fake.setMode(mode);
      const c = make();
      await assert.rejects(c.classify(['my secret text flag:hate']), (err: unknown) => {
        assert.ok(err instanceof ClassifierUnavailableError);
        assert.equal(err.classifierId, 'openai-moderation');
        assert.ok(!err.message.includes('secret text') && !err.message.includes(KEY), err.message);
        return true;
      });
      await c.close();
    });
  }

  it('rejects within the timeout when the upstream is slow', async () => {
    fake.setMode('slow');
    const c = make({ timeoutMs: 200 });
    const t0 = performance.now();
    await assert.rejects(c.classify(['x']), (err: unknown) => err instanceof ClassifierUnavailableError && /timed out after 200 ms/.test(err.message));
    assert.ok(performance.now() - t0 < 1_000);
    await c.close();
  });

  it('honours the caller abort signal and drops the upstream call', async () => {
    fake.setMode('slow');
    const c = make({ timeoutMs: 3_000 });
    const before = fake.requests.length;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    await assert.rejects(c.classify(['x'], ac.signal), (err: unknown) => err instanceof ClassifierUnavailableError && /aborted by the caller/.test(err.message));
    assert.ok(performance.now() - t0 < 1_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fake.requests[before]?.aborted, true);
    await c.close();
  });

  it('rejects on a wrong key (401) and when nothing listens', async () => {
    fake.setMode('ok');
    const wrongKey = make({ apiKey: 'sk-wrong-key' });
    await assert.rejects(wrongKey.classify(['x']), (err: unknown) => err instanceof ClassifierUnavailableError && /HTTP 401/.test(err.message) && !err.message.includes('sk-wrong'));
    await wrongKey.close();
    const nothing = new OpenAIModerationClassifier({ baseUrl: 'http://127.0.0.1:9/v1', timeoutMs: 500 });
    await assert.rejects(nothing.classify(['x']), ClassifierUnavailableError);
    await nothing.close();
  });

  it('is built by the factory from a spec, with an optional id', async () => {
    fake.setMode('ok');
    const c = createClassifier({ kind: 'openai-moderation', id: 'moderation', baseUrl: fake.url, apiKey: KEY, timeoutMs: 500, threshold: 0.5 });
    assert.equal(c.id, 'moderation');
    assert.deepEqual(cats((await c.classify(['flag:sexual/minors']))[0]), ['sexual', 'sexual/minors']);
    await c.close();
    const builtin = createClassifier({ kind: 'builtin' });
    assert.equal(builtin.id, 'builtin');
    assert.ok((await builtin.classify(['I want to kill myself']))[0].length > 0);
  });
});
