import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError, GatewayErrorCode, type CanonicalEvent } from '@gw/inference';
import { echoOf } from './openai-responses.response.mapper';
import { ResponsesStreamEncoder } from './openai-responses.stream';

/** Deterministic ids: msg_1, fc_2, … in the order the encoder asks for them. */
function encoder(): ResponsesStreamEncoder {
  let n = 0;
  return new ResponsesStreamEncoder({ echo: echoOf({ model: 'm' }, 'resp_1', 7, false), ids: (p) => `${p}${++n}` });
}

function run(events: CanonicalEvent[]): string {
  const sut = encoder();
  return events.map((e) => sut.encode(e)).join('') + sut.finish();
}

const ECHO =
  '"model":"m","instructions":null,"max_output_tokens":null,"parallel_tool_calls":true,"previous_response_id":null,"store":false,' +
  '"temperature":null,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":null,"user":null,"safety_identifier":null,"metadata":{}';

interface R {
  status: string;
  output?: string;
  usage?: string;
  incomplete?: string;
  error?: string;
  credits?: string;
}
const resp = (r: R) =>
  `{"id":"resp_1","object":"response","created_at":7,"status":"${r.status}","error":${r.error ?? 'null'},"incomplete_details":${r.incomplete ?? 'null'},${ECHO},` +
  `"output":${r.output ?? '[]'},"reasoning":{"effort":null,"summary":null},"truncation":"disabled","usage":${r.usage ?? 'null'}${r.credits ?? ''}}`;
const frame = (type: string, seq: number, rest: string) => `event: ${type}\ndata: {"type":"${type}","sequence_number":${seq}${rest ? `,${rest}` : ''}}\n\n`;
const usage = (i: number, o: number) =>
  `{"input_tokens":${i},"input_tokens_details":{"cached_tokens":0},"output_tokens":${o},"output_tokens_details":{"reasoning_tokens":0},"total_tokens":${i + o}}`;
const part = (text: string) => `{"type":"output_text","text":${JSON.stringify(text)},"annotations":[],"logprobs":[]}`;
const msg = (id: string, status: string, text?: string) =>
  `{"id":"${id}","type":"message","status":"${status}","role":"assistant","content":[${text === undefined ? '' : part(text)}]}`;
const fc = (id: string, status: string, callId: string, name: string, args: string) =>
  `{"id":"${id}","type":"function_call","status":"${status}","call_id":"${callId}","name":"${name}","arguments":${JSON.stringify(args)}}`;

const START = frame('response.created', 0, `"response":${resp({ status: 'in_progress' })}`) + frame('response.in_progress', 1, `"response":${resp({ status: 'in_progress' })}`);
const openMsg = (seq: number, at: number, id: string) =>
  frame('response.output_item.added', seq, `"output_index":${at},"item":${msg(id, 'in_progress')}`) +
  frame('response.content_part.added', seq + 1, `"item_id":"${id}","output_index":${at},"content_index":0,"part":${part('')}`);
const delta = (seq: number, at: number, id: string, d: string) =>
  frame('response.output_text.delta', seq, `"item_id":"${id}","output_index":${at},"content_index":0,"delta":${JSON.stringify(d)},"logprobs":[]`);
const closeMsg = (seq: number, at: number, id: string, text: string, status = 'completed') =>
  frame('response.output_text.done', seq, `"item_id":"${id}","output_index":${at},"content_index":0,"text":${JSON.stringify(text)},"logprobs":[]`) +
  frame('response.content_part.done', seq + 1, `"item_id":"${id}","output_index":${at},"content_index":0,"part":${part(text)}`) +
  frame('response.output_item.done', seq + 2, `"output_index":${at},"item":${msg(id, status, text)}`);

describe(ResponsesStreamEncoder.name, () => {
  it('encodes a text stream: lifecycle, item/part added, deltas, every done event, full response.completed with credits', () => {
    const out = run([
      { type: 'message_start', upstreamModel: 'u', inputTokens: 5 },
      { type: 'text_delta', text: 'Hi' },
      { type: 'text_delta', text: '' },
      { type: 'text_delta', text: ' there' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 2 } },
      { type: 'message_stop', finishReason: 'end_turn' },
      { type: 'metering', charge: { remainingCredits: 99, creditsUsed: 1, costUsd: 0.000035 } },
    ]);
    const credits = ',"remaining_credits":99,"estimated_credits_used":1,"estimated_cost_usd":0.000035';
    assert.equal(
      out,
      START +
        openMsg(2, 0, 'msg_1') +
        delta(4, 0, 'msg_1', 'Hi') +
        delta(5, 0, 'msg_1', ' there') +
        closeMsg(6, 0, 'msg_1', 'Hi there') +
        frame('response.completed', 9, `"response":${resp({ status: 'completed', output: `[${msg('msg_1', 'completed', 'Hi there')}]`, usage: usage(5, 2), credits })}`),
    );
  });

  it('encodes text then two interleaved tool calls: text closes when a call starts, calls close at the end', () => {
    const out = run([
      { type: 'message_start', upstreamModel: 'u' },
      { type: 'text_delta', text: 'Checking.' },
      { type: 'tool_call_start', index: 0, id: 'call_1', name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool_call_start', index: 1, id: 'call_2', name: 'get_time' },
      { type: 'tool_call_delta', index: 1, argumentsDelta: '{}' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
      { type: 'message_stop', finishReason: 'tool_use' },
      { type: 'usage', usage: { inputTokens: 9, outputTokens: 4 } },
    ]);
    const argsDelta = (seq: number, at: number, id: string, d: string) =>
      frame('response.function_call_arguments.delta', seq, `"item_id":"${id}","output_index":${at},"delta":${JSON.stringify(d)}`);
    const closeFc = (seq: number, at: number, id: string, callId: string, name: string, args: string) =>
      frame('response.function_call_arguments.done', seq, `"item_id":"${id}","output_index":${at},"name":"${name}","arguments":${JSON.stringify(args)}`) +
      frame('response.output_item.done', seq + 1, `"output_index":${at},"item":${fc(id, 'completed', callId, name, args)}`);
    const output = `[${msg('msg_1', 'completed', 'Checking.')},${fc('fc_2', 'completed', 'call_1', 'get_weather', '{"city":"Paris"}')},${fc('fc_3', 'completed', 'call_2', 'get_time', '{}')}]`;
    assert.equal(
      out,
      START +
        openMsg(2, 0, 'msg_1') +
        delta(4, 0, 'msg_1', 'Checking.') +
        closeMsg(5, 0, 'msg_1', 'Checking.') +
        frame('response.output_item.added', 8, `"output_index":1,"item":${fc('fc_2', 'in_progress', 'call_1', 'get_weather', '')}`) +
        argsDelta(9, 1, 'fc_2', '{"city":') +
        frame('response.output_item.added', 10, `"output_index":2,"item":${fc('fc_3', 'in_progress', 'call_2', 'get_time', '')}`) +
        argsDelta(11, 2, 'fc_3', '{}') +
        argsDelta(12, 1, 'fc_2', '"Paris"}') +
        closeFc(13, 1, 'fc_2', 'call_1', 'get_weather', '{"city":"Paris"}') +
        closeFc(15, 2, 'fc_3', 'call_2', 'get_time', '{}') +
        frame('response.completed', 17, `"response":${resp({ status: 'completed', output, usage: usage(9, 4) })}`),
    );
  });

  it('opens a new message for text after a call, and closes everything in output order at the end', () => {
    const sut = encoder();
    sut.encode({ type: 'tool_call_start', index: 0, id: 'call_1', name: 'f' });
    const late = sut.encode({ type: 'text_delta', text: 'late' });
    assert.match(late, /^event: response\.output_item\.added\n[^]*"output_index":1,"item":\{"id":"msg_2"/);
    assert.doesNotMatch(late, /done/, 'the call stays open');
    const tail = sut.finish();
    assert.deepEqual([...tail.matchAll(/^event: (\S+)/gm)].map((m) => m[1]), [
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    assert.deepEqual(sut.finalBody()?.output.map((o) => o.id), ['fc_1', 'msg_2']);
  });

  it('ends a max_tokens stream with incomplete items and response.incomplete', () => {
    const out = run([
      { type: 'message_start', upstreamModel: 'u', inputTokens: 3 },
      { type: 'text_delta', text: 'Once' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 1 } },
      { type: 'message_stop', finishReason: 'max_tokens' },
    ]);
    const incomplete = '{"reason":"max_output_tokens"}';
    assert.equal(
      out,
      START +
        openMsg(2, 0, 'msg_1') +
        delta(4, 0, 'msg_1', 'Once') +
        closeMsg(5, 0, 'msg_1', 'Once', 'incomplete') +
        frame('response.incomplete', 8, `"response":${resp({ status: 'incomplete', incomplete, output: `[${msg('msg_1', 'incomplete', 'Once')}]`, usage: usage(3, 1) })}`),
    );
  });

  it('still sends an empty message item when the model produced nothing', () => {
    const out = run([
      { type: 'message_start', upstreamModel: 'u' },
      { type: 'usage', usage: { inputTokens: 2, outputTokens: 0 } },
      { type: 'message_stop', finishReason: 'end_turn' },
    ]);
    assert.equal(
      out,
      START + openMsg(2, 0, 'msg_1') + closeMsg(4, 0, 'msg_1', '') + frame('response.completed', 7, `"response":${resp({ status: 'completed', output: `[${msg('msg_1', 'completed', '')}]`, usage: usage(2, 0) })}`),
    );
  });

  it('ends with response.failed (partial output, error code) and nothing after a mid-stream error', () => {
    const sut = encoder();
    const head = [
      sut.encode({ type: 'message_start', upstreamModel: 'u', inputTokens: 4 }),
      sut.encode({ type: 'text_delta', text: 'Hi' }),
      sut.encode({ type: 'error', error: new GatewayError(GatewayErrorCode.UpstreamError, 'upstream died') }),
    ].join('');
    const error = '{"code":"upstream_error","message":"upstream died"}';
    assert.equal(
      head,
      START +
        openMsg(2, 0, 'msg_1') +
        delta(4, 0, 'msg_1', 'Hi') +
        frame('response.failed', 5, `"response":${resp({ status: 'failed', error, output: `[${msg('msg_1', 'incomplete', 'Hi')}]`, usage: usage(4, 0) })}`),
    );
    assert.equal(sut.encode({ type: 'text_delta', text: 'more' }), '');
    assert.equal(sut.finish(), '');
    assert.equal(sut.finalBody(), undefined);
  });

  it('puts the usage and credit fields of what was generated on response.failed', () => {
    const sut = encoder();
    sut.encode({ type: 'message_start', upstreamModel: 'u', inputTokens: 4 });
    sut.encode({ type: 'text_delta', text: 'Hi' });
    sut.encode({ type: 'metering', charge: { remainingCredits: 9, creditsUsed: 1, costUsd: 0.000025 }, usage: { inputTokens: 4, outputTokens: 1 } });
    const error = '{"code":"upstream_error","message":"upstream died"}';
    const credits = ',"remaining_credits":9,"estimated_credits_used":1,"estimated_cost_usd":0.000025';
    assert.equal(
      sut.encode({ type: 'error', error: new GatewayError(GatewayErrorCode.UpstreamError, 'upstream died') }),
      frame('response.failed', 5, `"response":${resp({ status: 'failed', error, output: `[${msg('msg_1', 'incomplete', 'Hi')}]`, usage: usage(4, 1), credits })}`),
    );
  });

  it('replaces the unwritten closing frames with response.failed when the store hook fails after finish()', () => {
    const sut = encoder();
    sut.encode({ type: 'message_start', upstreamModel: 'u', inputTokens: 1 });
    sut.encode({ type: 'text_delta', text: 'ok' });
    const tail = sut.finish();
    assert.match(tail, /"sequence_number":8,"response":\{[^]*"status":"completed"/);
    assert.equal(sut.finalBody()?.status, 'completed');
    const error = '{"code":"server_error","message":"not stored"}';
    assert.equal(
      sut.encode({ type: 'error', error: new GatewayError(GatewayErrorCode.Internal, 'not stored', { wireCode: 'server_error' }) }),
      frame('response.failed', 5, `"response":${resp({ status: 'failed', error, output: `[${msg('msg_1', 'completed', 'ok')}]`, usage: usage(1, 0) })}`),
    );
  });
});
