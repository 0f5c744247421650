import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError, GatewayErrorCode } from '@gw/inference';
import { encodeAll, TEXT_STREAM, THINKING_STREAM, TOOL_STREAM } from './anthropic-messages.spec-helpers';
import { MessagesStreamEncoder } from './anthropic-messages.stream';

const ev = (type: string, data: string) => `event: ${type}\ndata: ${data}\n\n`;
const START = (input: number) =>
  ev(
    'message_start',
    `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":${input},"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}`,
  ) + ev('ping', '{"type":"ping"}');
const TEXT_START = (i: number) => ev('content_block_start', `{"type":"content_block_start","index":${i},"content_block":{"type":"text","text":""}}`);
const TEXT = (i: number, t: string) => ev('content_block_delta', `{"type":"content_block_delta","index":${i},"delta":{"type":"text_delta","text":${JSON.stringify(t)}}}`);
const STOP = (i: number) => ev('content_block_stop', `{"type":"content_block_stop","index":${i}}`);
const USAGE = (i: number, o: number, cached = 0) => `{"input_tokens":${i},"cache_creation_input_tokens":0,"cache_read_input_tokens":${cached},"output_tokens":${o}}`;
const END = ev('message_stop', '{"type":"message_stop"}');

describe(MessagesStreamEncoder.name, () => {
  it('encodes a text stream: message_start, ping, one text block, message_delta with usage and credits, message_stop', () => {
    assert.equal(
      encodeAll(TEXT_STREAM),
      START(9) +
        TEXT_START(0) +
        TEXT(0, 'Hel') +
        TEXT(0, 'lo') +
        STOP(0) +
        ev(
          'message_delta',
          `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":${USAGE(9, 2)},"remaining_credits":487,"estimated_credits_used":1,"estimated_cost_usd":0.000055}`,
        ) +
        END,
    );
  });

  it('encodes tool calls as sequential tool_use blocks with input_json_delta', () => {
    assert.equal(
      encodeAll(TOOL_STREAM),
      START(0) +
        TEXT_START(0) +
        TEXT(0, 'Checking.') +
        STOP(0) +
        ev('content_block_start', '{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}') +
        ev('content_block_delta', '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\":"}}') +
        ev('content_block_delta', '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"Paris\\"}"}}') +
        STOP(1) +
        ev('content_block_start', '{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_2","name":"get_time","input":{}}}') +
        STOP(2) +
        ev('message_delta', `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":${USAGE(30, 12, 20)}}`) +
        END,
    );
  });

  it('encodes reasoning as Anthropic streams thinking: empty start, thinking_delta, signature_delta, then redacted_thinking whole', () => {
    const delta = (i: number, d: object) => ev('content_block_delta', JSON.stringify({ type: 'content_block_delta', index: i, delta: d }));
    assert.equal(
      encodeAll(THINKING_STREAM),
      START(5) +
        ev('content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}') +
        delta(0, { type: 'thinking_delta', thinking: 'Let me ' }) +
        delta(0, { type: 'thinking_delta', thinking: 'think.' }) +
        delta(0, { type: 'signature_delta', signature: 'sig_1' }) +
        STOP(0) +
        ev('content_block_start', '{"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"opaque=="}}') +
        STOP(1) +
        TEXT_START(2) +
        TEXT(2, 'Checking.') +
        STOP(2) +
        ev('content_block_start', '{"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}') +
        delta(3, { type: 'input_json_delta', partial_json: '{"city":"Paris"}' }) +
        STOP(3) +
        ev('message_delta', `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":${USAGE(5, 20)}}`) +
        END,
    );
  });

  it('opens a thinking block for a delta without a start, drops a signature with no open thinking block, and adds an empty text block after thinking alone', () => {
    const out = encodeAll([
      { type: 'message_start', upstreamModel: 'u', inputTokens: 3 },
      { type: 'reasoning_signature', signature: 'orphan' },
      { type: 'reasoning_delta', text: 'hmm' },
      { type: 'reasoning_start' },
      { type: 'reasoning_signature', signature: 'sig_bare' },
      { type: 'message_stop', finishReason: 'max_tokens' },
    ]);
    const thinkingStart = (i: number) => ev('content_block_start', `{"type":"content_block_start","index":${i},"content_block":{"type":"thinking","thinking":"","signature":""}}`);
    assert.equal(
      out,
      START(3) +
        thinkingStart(0) +
        ev('content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}') +
        STOP(0) +
        thinkingStart(1) +
        ev('content_block_delta', '{"type":"content_block_delta","index":1,"delta":{"type":"signature_delta","signature":"sig_bare"}}') +
        STOP(1) +
        TEXT_START(2) +
        STOP(2) +
        ev('message_delta', `{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":${USAGE(3, 0)}}`) +
        END,
    );
  });

  it('reports max_tokens', () => {
    const out = encodeAll([
      { type: 'message_start', upstreamModel: 'u', inputTokens: 3 },
      { type: 'text_delta', text: 'Once upon' },
      { type: 'message_stop', finishReason: 'max_tokens' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } },
    ]);
    assert.equal(
      out,
      START(3) +
        TEXT_START(0) +
        TEXT(0, 'Once upon') +
        STOP(0) +
        ev('message_delta', `{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":${USAGE(3, 2)}}`) +
        END,
    );
  });

  it('reports stop_sequence with the matched string', () => {
    const out = encodeAll([
      { type: 'message_start', upstreamModel: 'u', inputTokens: 3 },
      { type: 'text_delta', text: 'a, b' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 4 } },
      { type: 'message_stop', finishReason: 'stop_sequence', stopSequence: '###' },
    ]);
    assert.equal(
      out,
      START(3) +
        TEXT_START(0) +
        TEXT(0, 'a, b') +
        STOP(0) +
        ev('message_delta', `{"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"###"},"usage":${USAGE(3, 4)}}`) +
        END,
    );
  });

  it('ends with an Anthropic error event and nothing after it on a mid-stream error', () => {
    const sut = new MessagesStreamEncoder({ id: 'msg_1', model: 'm' });
    let out = sut.encode({ type: 'message_start', upstreamModel: 'u', inputTokens: 3 });
    out += sut.encode({ type: 'text_delta', text: 'partial' });
    out += sut.encode({ type: 'error', error: new GatewayError(GatewayErrorCode.UpstreamOverloaded, 'Overloaded') });
    out += sut.encode({ type: 'text_delta', text: 'late' });
    out += sut.finish();
    assert.equal(
      out,
      START(3) + TEXT_START(0) + TEXT(0, 'partial') + ev('error', '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
    );
  });

  it('puts the usage and credit fields of what was generated on the error event of a billed failure', () => {
    const sut = new MessagesStreamEncoder({ id: 'msg_1', model: 'm' });
    sut.encode({ type: 'message_start', upstreamModel: 'u', inputTokens: 3 });
    sut.encode({ type: 'text_delta', text: 'partial' });
    sut.encode({ type: 'metering', charge: { remainingCredits: 7, creditsUsed: 1, costUsd: 0.00002 }, usage: { inputTokens: 3, outputTokens: 1 } });
    assert.equal(
      sut.encode({ type: 'error', error: new GatewayError(GatewayErrorCode.UpstreamError, 'broke') }),
      ev(
        'error',
        `{"type":"error","error":{"type":"api_error","message":"broke"},"usage":${USAGE(3, 1)},"remaining_credits":7,"estimated_credits_used":1,"estimated_cost_usd":0.00002}`,
      ),
    );
  });

  it('sends one empty text block when the answer has no content, and starts the message even if the provider did not', () => {
    assert.equal(
      encodeAll([{ type: 'message_stop', finishReason: 'end_turn' }]),
      START(0) + TEXT_START(0) + STOP(0) + ev('message_delta', `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":${USAGE(0, 0)}}`) + END,
    );
  });

  it('reopens a text block after a tool call, and maps content_filter to refusal', () => {
    const frames = encodeAll([
      { type: 'message_start', upstreamModel: 'u' },
      { type: 'tool_call_start', index: 0, id: 't', name: 'f' },
      { type: 'text_delta', text: 'after' },
      { type: 'message_stop', finishReason: 'content_filter' },
    ]);
    assert.ok(frames.includes(STOP(0) + TEXT_START(1) + TEXT(1, 'after') + STOP(1)));
    assert.ok(frames.includes('"stop_reason":"refusal"'));
  });
});
