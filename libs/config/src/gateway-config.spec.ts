import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './gateway-config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('boots with no variables: embedded Postgres and the local model as abliterated-model', () => {
    const sut = loadConfig({});
    assert.equal(sut.embedded, true);
    assert.equal(sut.env.INFERENCE_PORT, 8080);
    assert.deepEqual(sut.catalog.models.map((m) => [m.id, m.provider, m.aliases]), [['abliterated-model', 'local', ['abliteration-model']]]);
    assert.equal(sut.catalog.providers[0].kind, 'local-gguf');
  });

  it('serves abliterated-model from UPSTREAM_BASE_URL when set', () => {
    const sut = loadConfig({ UPSTREAM_BASE_URL: 'http://127.0.0.1:8000/v1', UPSTREAM_MODEL: 'qwen' });
    assert.deepEqual(sut.catalog.providers.map((p) => p.kind), ['openai-compatible']);
    assert.equal(sut.catalog.models[0].upstream_model, 'qwen');
  });

  it('names each bad variable and what is wrong', () => {
    const found = problems({ INFERENCE_PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', MIGRATE_ON_START: 'maybe' });
    for (const name of ['INFERENCE_PORT', 'DATABASE_URL', 'LOG_LEVEL', 'MIGRATE_ON_START']) {
      assert.ok(found.some((p) => p.startsWith(`${name}:`)), `${name} missing from ${found.join(' | ')}`);
    }
    assert.ok(found.some((p) => /DATABASE_URL: must be a URL with scheme postgres:/.test(p)));
  });

  it('reads the credit lease settings and refuses a minimum above the chunk', () => {
    const sut = loadConfig({ CREDIT_LEASE_CALLS: '64', CREDIT_LEASE_MIN_CALLS: '8', CREDIT_LEASE_SHARE: '0.25', CREDIT_LEASE_CARVE_MS: '20' });
    assert.deepEqual(
      [sut.env.CREDIT_LEASE_CALLS, sut.env.CREDIT_LEASE_MIN_CALLS, sut.env.CREDIT_LEASE_SHARE, sut.env.CREDIT_LEASE_IDLE_MS, sut.env.CREDIT_LEASE_CARVE_MS],
      [64, 8, 0.25, 2_000, 20],
    );
    assert.match(problems({ CREDIT_LEASE_CALLS: '8', CREDIT_LEASE_MIN_CALLS: '16' })[0], /^CREDIT_LEASE_MIN_CALLS: must be at most CREDIT_LEASE_CALLS \(8\), got 16$/);
    assert.ok(problems({ CREDIT_LEASE_SHARE: '0' }).some((p) => p.startsWith('CREDIT_LEASE_SHARE:')));
    assert.ok(problems({ CREDIT_LEASE_SHARE: '1.5' }).some((p) => p.startsWith('CREDIT_LEASE_SHARE:')));
    assert.ok(problems({ CREDIT_LEASE_CARVE_MS: '5' }).some((p) => p.startsWith('CREDIT_LEASE_CARVE_MS:')));
  });

  it('checks the catalogue: JSON, shape, provider references and duplicate names', () => {
    assert.match(problems({ CATALOG_JSON: '{' })[0], /^CATALOG_JSON: cannot be read as JSON/);
    assert.match(problems({ CATALOG_JSON: '{"providers":[],"models":[]}' })[0], /^CATALOG_JSON\.providers/);
    const cat = (models: unknown[]) =>
      JSON.stringify({ providers: [{ id: 'p', kind: 'openai-compatible', base_url: 'http://h/v1' }], models });
    assert.match(problems({ CATALOG_JSON: cat([{ id: 'm', provider: 'q', upstream_model: 'x' }]) })[0], /unknown provider "q"/);
    assert.match(
      problems({ CATALOG_JSON: cat([{ id: 'm', provider: 'p', upstream_model: 'x' }, { id: 'n', aliases: ['m'], provider: 'p', upstream_model: 'y' }]) })[0],
      /name "m" is used twice/,
    );
  });
});
