import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCreateKeyBody } from './create-key.schema';

describe('parseCreateKeyBody', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');

  it('accepts a label with optional limits', () => {
    assert.deepEqual(parseCreateKeyBody({ label: ' prod ' }, now), { label: 'prod', rateLimitPerMinute: null, expiresAt: null });
    assert.deepEqual(parseCreateKeyBody({ label: 'x', rate_limit_per_minute: 5, expires_at: '2030-02-01T00:00:00Z' }, now), {
      label: 'x',
      rateLimitPerMinute: 5,
      expiresAt: new Date('2030-02-01T00:00:00Z'),
    });
  });

  it('names the offending field', () => {
    const cases: [unknown, string][] = [
      [[], '(body)'],
      [{}, 'label'],
      [{ label: '' }, 'label'],
      [{ label: 'a\u0000b' }, 'label'],
      [{ label: 'a\u001bb' }, 'label'],
      [{ label: 'a\ud800b' }, 'label'],
      [{ label: 'x', rate_limit_per_minute: 0 }, 'rate_limit_per_minute'],
      [{ label: 'x', rate_limit_per_minute: 1.5 }, 'rate_limit_per_minute'],
      [{ label: 'x', expires_at: 'tomorrow' }, 'expires_at'],
      [{ label: 'x', expires_at: '2029-01-01T00:00:00Z' }, 'expires_at'],
      [{ label: 'x', scope: 'all' }, 'scope'],
    ];
    for (const [body, param] of cases) assert.throws(() => parseCreateKeyBody(body, now), { status: 400, param }, JSON.stringify(body));
  });
});
