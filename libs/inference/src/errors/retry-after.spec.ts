import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError, GatewayErrorCode, parseRetryAfter, withRetryAfter } from './gateway-error';

describe('Retry-After from upstreams', () => {
  it('reads delta-seconds and HTTP dates as whole seconds in [1, 3600]', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7);
    assert.equal(parseRetryAfter(['0'], now), 1);
    assert.equal(parseRetryAfter('99999', now), 3600);
    assert.equal(parseRetryAfter('Tue, 01 Dec 2026 10:00:02 GMT', now), 2);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(undefined, now), undefined);
  });

  it('attaches it to overload errors only, keeping everything else', () => {
    const overloaded = new GatewayError(GatewayErrorCode.UpstreamOverloaded, 'busy', { status: 429, wireCode: 'rate_limit_exceeded' });
    const withIt = withRetryAfter(overloaded, '3');
    assert.deepEqual([withIt.code, withIt.message, withIt.status, withIt.wireCode, withIt.retryAfterSeconds], [overloaded.code, 'busy', 429, 'rate_limit_exceeded', 3]);
    const invalid = GatewayError.invalid('bad');
    assert.equal(withRetryAfter(invalid, '3'), invalid);
    assert.equal(withRetryAfter(overloaded, undefined), overloaded);
  });
});
