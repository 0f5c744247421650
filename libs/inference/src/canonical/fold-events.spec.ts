import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CanonicalEvent } from './canonical-event';
import { foldEvents } from './fold-events';

async function* from(events: CanonicalEvent[]): AsyncGenerator<CanonicalEvent> {
  for (const e of events) yield e;
}

void describe('foldEvents', () => {
  void it('accumulates reasoning blocks: text, a replacing signature, implicit opens, redacted blocks, closed by other content', async () => {
    const r = await foldEvents(
      from([
        { type: 'message_start', upstreamModel: 'u', inputTokens: 2 },
        { type: 'reasoning_signature', signature: 'orphan' },
        { type: 'reasoning_start' },
        { type: 'reasoning_delta', text: 'Let me ' },
        { type: 'reasoning_delta', text: 'think.' },
        { type: 'reasoning_signature', signature: 'draft' },
        { type: 'reasoning_signature', signature: 'sig_1' },
        { type: 'reasoning_start' },
        { type: 'reasoning_signature', signature: 'sig_empty' },
        { type: 'redacted_reasoning', data: 'enc' },
        { type: 'reasoning_delta', text: 'implicit' },
        { type: 'text_delta', text: 'Answer.' },
        { type: 'reasoning_delta', text: 'after text' },
        { type: 'tool_call_start', index: 0, id: 't', name: 'f' },
        { type: 'tool_call_delta', index: 0, argumentsDelta: '{}' },
        { type: 'usage', usage: { inputTokens: 2, outputTokens: 9 } },
        { type: 'message_stop', finishReason: 'tool_use' },
      ]),
    );
    assert.deepEqual(r.reasoning, [
      { type: 'reasoning', text: 'Let me think.', signature: 'sig_1' },
      { type: 'reasoning', text: '', signature: 'sig_empty' },
      { type: 'redacted_reasoning', data: 'enc' },
      { type: 'reasoning', text: 'implicit' },
      { type: 'reasoning', text: 'after text' },
    ]);
    assert.equal(r.text, 'Answer.');
    assert.deepEqual(r.toolCalls, [{ id: 't', name: 'f', arguments: '{}' }]);
    assert.equal(r.finishReason, 'tool_use');
  });

  void it('leaves `reasoning` out when there was none', async () => {
    const r = await foldEvents(from([{ type: 'message_start', upstreamModel: 'u' }, { type: 'text_delta', text: 'x' }, { type: 'message_stop', finishReason: 'end_turn' }]));
    assert.equal('reasoning' in r, false);
    assert.equal(r.text, 'x');
  });
});
