import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanonicalRequest, Dialect } from '../canonical/canonical-request';
import { GatewayError } from '../errors/gateway-error';
import { withinOutputLimit } from './output-limit';

const req = (maxTokens: number | undefined, maxTokensParam?: string, dialect: Dialect = 'openai-chat'): CanonicalRequest => ({
  model: 'm',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
  sampling: {},
  maxTokens,
  maxTokensParam,
  stream: false,
  passthrough: { dialect, fields: {} },
});
const limited = { id: 'small-model', max_output_tokens: 4096 };

describe('withinOutputLimit (the catalogue max_output_tokens)', () => {
  it('leaves a request alone when the model has no limit, the request no cap, or the cap fits', () => {
    for (const [r, m] of [
      [req(1e6, 'max_tokens'), { id: 'm' }],
      [req(undefined), limited],
      [req(4096, 'max_tokens'), limited],
    ] as const) {
      assert.equal(withinOutputLimit(r, m), r);
    }
  });

  it('refuses a cap the caller set above the limit with a 400 naming the caller field, worded per vendor', () => {
    assert.throws(() => withinOutputLimit(req(4097, 'max_completion_tokens'), limited), (e: unknown) => {
      assert.ok(e instanceof GatewayError && e.status === 400);
      assert.equal(e.param, 'max_completion_tokens');
      assert.equal(e.message, 'max_completion_tokens is too large: 4097. This model supports at most 4096 completion tokens, whereas you provided 4097.');
      return true;
    });
    assert.throws(() => withinOutputLimit(req(5000, 'max_output_tokens', 'openai-responses'), limited), { param: 'max_output_tokens' });
    assert.throws(() => withinOutputLimit(req(5000, 'max_tokens', 'anthropic-messages'), limited), {
      param: 'max_tokens',
      message: 'max_tokens: 5000 > 4096, which is the maximum allowed number of output tokens for small-model',
    });
  });

  it('lowers a cap the gateway chose (no caller field) instead of refusing it', () => {
    assert.equal(withinOutputLimit(req(8192, undefined, 'anthropic-messages'), limited).maxTokens, 4096);
  });
});
