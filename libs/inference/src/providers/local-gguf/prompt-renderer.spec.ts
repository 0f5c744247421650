import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalRequest } from '../../canonical/canonical-request';
import { GatewayError, GatewayErrorCode } from '../../errors/gateway-error';
import { renderPrompt } from './prompt-renderer';
import { DEFAULT_MAX_TOKENS, planRequest } from './request-plan';

const base: CanonicalRequest = {
  model: 'm',
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
    { role: 'assistant', content: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    { role: 'tool', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: '21 C' }] }] },
  ],
  tools: [{ name: 'get_weather', description: 'Weather now', parameters: { type: 'object' } }],
  sampling: {},
  stream: false,
  passthrough: { dialect: 'openai-chat', fields: {} },
};

void describe('renderPrompt / planRequest', () => {
  void it('renders a plain transcript ending with Assistant:', () => {
    const prompt = renderPrompt(base.messages, { tools: [], upstreamModel: 'm', providerId: 'p' });
    assert.equal(
      prompt,
      'System: Be brief.\nUser: Weather in Paris?\nAssistant: [call get_weather {"city":"Paris"}]\n' +
        'Tool: [result of get_weather call_1] 21 C\nAssistant:',
    );
  });

  void it('skips replayed reasoning (another model\'s, signed for Anthropic)', () => {
    const messages = base.messages.map((m) =>
      m.role === 'assistant' ? { ...m, content: [{ type: 'reasoning' as const, text: 'secret', signature: 's' }, { type: 'redacted_reasoning' as const, data: 'x' }, ...m.content] } : m,
    );
    const opts = { tools: [], upstreamModel: 'm', providerId: 'p' };
    assert.equal(renderPrompt(messages, opts), renderPrompt(base.messages, opts));
  });

  void it('describes tools unless tool_choice is none, and opens a forced call', () => {
    assert.match(planRequest(base, 'm', 'p').prompt, /^System: You can call these tools.*\n- get_weather: Weather now Arguments: \{"type":"object"\}\n/);
    assert.doesNotMatch(planRequest({ ...base, toolChoice: { type: 'none' } }, 'm', 'p').prompt, /get_weather: Weather/);
    const forced = planRequest({ ...base, toolChoice: { type: 'tool', name: 'get_weather' } }, 'm', 'p');
    assert.equal(forced.mode.kind, 'tool');
    assert.ok(forced.prompt.endsWith('\nAssistant: [call get_weather '));
    assert.throws(() => planRequest({ ...base, toolChoice: { type: 'tool', name: 'nope' } }, 'm', 'p'), { param: 'tool_choice' });
  });

  void it('resolves defaults: max tokens, random seed, no penalties', () => {
    const a = planRequest(base, 'm', 'p');
    assert.equal(a.maxTokens, DEFAULT_MAX_TOKENS);
    assert.equal(a.sampling.repeatPenalty, false);
    assert.equal(planRequest({ ...base, sampling: { seed: 5 } }, 'm', 'p').sampling.seed, 5);
    const pen = planRequest({ ...base, sampling: { presencePenalty: 3, frequencyPenalty: 0.5 } }, 'm', 'p').sampling.repeatPenalty;
    assert.ok(pen && pen.presencePenalty === 2 && pen.frequencyPenalty === 0.5);
  });

  void it('rejects images with a 400 naming the model and provider', () => {
    const messages: CanonicalRequest['messages'] = [
      { role: 'user', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AA==' } }] },
    ];
    assert.throws(() => renderPrompt(messages, { tools: [], upstreamModel: 'tiny', providerId: 'local' }), (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.code, GatewayErrorCode.InvalidRequest);
      assert.equal(err.message, "The model 'tiny' served by provider 'local' does not accept image input");
      return true;
    });
  });
});
