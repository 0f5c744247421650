import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError, GatewayErrorCode } from '@gw/inference';
import { envelopeFor, renderError } from './error-envelope';

const cases: Array<[GatewayError, number, string, number, string]> = [
  // error, OpenAI status, OpenAI type, Anthropic status, Anthropic type
  [new GatewayError(GatewayErrorCode.Unauthenticated, 'Invalid API key.', { wireCode: 'invalid_api_key' }), 401, 'invalid_request_error', 401, 'authentication_error'],
  [new GatewayError(GatewayErrorCode.PaymentRequired, 'Insufficient credits', { wireCode: 'insufficient_credits' }), 402, 'insufficient_quota', 402, 'billing_error'],
  [new GatewayError(GatewayErrorCode.RateLimited, 'Rate limit reached', { wireCode: 'rate_limit_exceeded' }), 429, 'rate_limit_error', 429, 'rate_limit_error'],
  [new GatewayError(GatewayErrorCode.UpstreamOverloaded, 'overloaded'), 503, 'server_error', 529, 'overloaded_error'],
  [GatewayError.modelNotFound('x'), 404, 'invalid_request_error', 404, 'not_found_error'],
];

describe('error envelopes', () => {
  it('chooses the Anthropic envelope on the messages paths only', () => {
    assert.equal(envelopeFor('/v1/messages?beta=true'), 'anthropic');
    assert.equal(envelopeFor('/v1/messages/count_tokens'), 'anthropic');
    assert.equal(envelopeFor('/policy/v1/messages'), 'anthropic');
    assert.equal(envelopeFor('/v1/chat/completions'), 'openai');
    assert.equal(envelopeFor('/v1/responses'), 'openai');
  });

  it('sends Retry-After when the error carries one, in both envelopes', () => {
    const err = new GatewayError(GatewayErrorCode.UpstreamOverloaded, 'busy', { retryAfterSeconds: 4 });
    assert.deepEqual(renderError(err, 'openai', 'r').headers, { 'retry-after': '4' });
    assert.deepEqual(renderError(err, 'anthropic', 'r').headers, { 'retry-after': '4' });
    assert.equal(renderError(GatewayError.invalid('x'), 'openai', 'r').headers, undefined);
  });

  for (const [err, oStatus, oType, aStatus, aType] of cases) {
    it(`renders ${err.code} in both envelopes`, () => {
      const o = renderError(err, 'openai', 'req_1');
      assert.equal(o.status, oStatus);
      assert.deepEqual(o.body, { error: { message: err.message, type: oType, param: err.param ?? null, code: err.wireCode ?? err.code } });
      const a = renderError(err, 'anthropic', 'req_1');
      assert.equal(a.status, aStatus);
      const code = err.code === GatewayErrorCode.PaymentRequired ? { code: 'insufficient_credits' } : {};
      assert.deepEqual(a.body, { type: 'error', error: { type: aType, message: err.message, ...code }, request_id: 'req_1' });
    });
  }

  it("renders an upstream's 429 as a rate limit in both envelopes, not as an overload", () => {
    const err = new GatewayError(GatewayErrorCode.UpstreamOverloaded, "Upstream 'u' is rate limiting: slow down", { status: 429, wireCode: 'whatever' });
    const o = renderError(err, 'openai', 'r');
    assert.equal(o.status, 429);
    assert.deepEqual(o.body, { error: { message: err.message, type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    const a = renderError(err, 'anthropic', 'r');
    assert.equal(a.status, 429);
    assert.deepEqual(a.body, { type: 'error', error: { type: 'rate_limit_error', message: err.message }, request_id: 'r' });
  });
});
