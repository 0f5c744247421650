import { type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from '../local-http-server';
import { performance } from 'node:perf_hooks';
import {
  anthropicMessageBody,
  anthropicPromptTokens,
  anthropicStreamEvents,
  planAnthropicReply,
  sseFrame,
  type AnthropicReplyOptions,
  type MessagesRequestBody,
} from './fake-anthropic-replies';
import { COUNT_FIELDS, FAILURES, thinkingProblem } from './fake-anthropic-checks';
import { RequestLog, sendError as error, sendJson as json, sendText as text } from './fake-anthropic-http';
import {
  FAKE_ANTHROPIC_BEHAVIOURS,
  type AnthropicRecordedRequest,
  type FakeAnthropic,
  type FakeAnthropicBehaviour,
  type FakeAnthropicOptions,
} from './fake-anthropic.types';

/**
 * A deterministic Anthropic Messages upstream on 127.0.0.1 for tests: `POST /v1/messages` (JSON, or SSE with the
 * exact Anthropic event sequence when `stream: true`) and `POST /v1/messages/count_tokens` (`{input_tokens}`).
 * Like Anthropic it requires `anthropic-version` and `max_tokens` and ignores query strings. Answers are described
 * in `planAnthropicReply`, failure modes in {@link FakeAnthropicBehaviour}. Records every request; prints nothing.
 */
export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const base: AnthropicReplyOptions = {
    toolArguments: options.toolArguments ?? '{"city":"Paris"}',
    toolArgumentFragments: options.toolArgumentFragments ?? 3,
    toolPreamble: options.toolPreamble,
    toolName: options.toolName,
    cachedTokens: options.cachedTokens ?? 0,
    parallelTools: false,
    thinking: false,
    refusal: false,
  };
  const interval = options.chunkIntervalMs ?? 50;
  const slowChunks = options.slowChunks ?? 200;
  const log = new RequestLog();
  const requests = log.requests;
  const timers = new Set<NodeJS.Timeout>();
  /** Signature → thinking text of every thinking block answered, to check the ones sent back. */
  const issued = new Map<string, string>();
  let forced = options.behaviour;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const choose = (req: IncomingMessage, body: MessagesRequestBody | undefined): FakeAnthropicBehaviour => {
    if (forced) return forced;
    const header = req.headers['x-fake-behaviour'];
    const wanted = typeof header === 'string' ? header : body?.model;
    return FAKE_ANTHROPIC_BEHAVIOURS.find((b) => b === wanted) ?? 'ok';
  };

  const record = (req: IncomingMessage, res: ServerResponse, rawBody: string, body: MessagesRequestBody | undefined): AnthropicRecordedRequest => {
    let resolveClosed!: () => void;
    const rec: AnthropicRecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      remotePort: req.socket.remotePort ?? 0,
      body,
      rawBody,
      behaviour: choose(req, body),
      receivedAt: performance.now(),
      aborted: false,
      closed: new Promise<void>((r) => (resolveClosed = r)),
    };
    res.on('close', () => {
      rec.closedAt = performance.now();
      rec.aborted = !res.writableFinished;
      resolveClosed();
    });
    log.add(rec);
    return rec;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string): void => {
    let body: MessagesRequestBody | undefined;
    try {
      body = rawBody ? (JSON.parse(rawBody) as MessagesRequestBody) : undefined;
    } catch {
      body = undefined;
    }
    const rec = record(req, res, rawBody, body);
    const { behaviour } = rec;
    const no = requests.length;
    const path = (req.url ?? '').split('?')[0];
    const counting = path === '/v1/messages/count_tokens';
    if (req.method !== 'POST' || (path !== '/v1/messages' && !counting)) return error(res, 404, 'not_found_error', 'Not found (fake).');
    const sentKey = req.headers['x-api-key'];
    if (options.apiKey !== undefined && sentKey !== options.apiKey) return error(res, 401, 'authentication_error', 'invalid x-api-key');
    if (behaviour === 'fail-401') return error(res, 401, 'authentication_error', `invalid x-api-key: ${String(sentKey)}`);
    const failure = FAILURES[behaviour];
    if (failure) {
      if (behaviour === 'fail-429') res.setHeader('retry-after', '1');
      return error(res, failure.status, failure.type, failure.message);
    }
    if (!req.headers['anthropic-version']) return error(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
    if (!body || !Array.isArray(body.messages)) return error(res, 400, 'invalid_request_error', 'messages: Field required');
    if (behaviour === 'hang') return;
    if (counting) {
      const extra = Object.keys(body).find((k) => !COUNT_FIELDS.has(k));
      if (extra) return error(res, 400, 'invalid_request_error', `${extra}: Extra inputs are not permitted`);
      if (behaviour === 'bad-json') return text(res, 200, 'application/json', '{"input_tokens": nope');
      return json(res, 200, { input_tokens: anthropicPromptTokens(body) });
    }
    if (typeof body.max_tokens !== 'number') return error(res, 400, 'invalid_request_error', 'max_tokens: Field required');
    const problem = thinkingProblem(body, issued);
    if (problem) return error(res, 400, 'invalid_request_error', problem);

    const model = body.model ?? 'fake-model';
    const opts = { ...base, parallelTools: behaviour === 'parallel-tools', thinking: behaviour === 'thinking', refusal: behaviour === 'refusal' };
    const reply = planAnthropicReply(body, no, opts);
    for (const b of reply.blocks) if (b.type === 'thinking') issued.set(b.signature, b.thinking);
    if (!body.stream || behaviour === 'json-for-stream') {
      if (behaviour === 'bad-json') return text(res, 200, 'application/json', '{"id":"msg_fake", not json');
      const payload = JSON.stringify(anthropicMessageBody(reply, model, no));
      if (behaviour === 'drop-mid-stream') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
        res.write(payload.slice(0, payload.length >> 1));
        return later(10, () => res.destroy());
      }
      return text(res, 200, 'application/json', payload);
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let frames = anthropicStreamEvents(reply, model, no, opts).map(sseFrame);
    let gap = 0;
    const firstDelta = frames.findIndex((f) => f.startsWith('event: content_block_delta'));
    if (behaviour === 'hang-body') frames = [frames[0], 'HANG'];
    if (behaviour === 'bad-json') frames = [frames[0], 'event: content_block_start\ndata: {"type": nope\n\n', 'END'];
    if (behaviour === 'drop-mid-stream') frames = [...frames.slice(0, firstDelta + 1), 'DROP'];
    if (behaviour === 'error-mid-stream') {
      const err = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded mid-stream (fake).' } };
      frames = [...frames.slice(0, firstDelta + 1), sseFrame({ event: 'error', data: err }), 'END'];
    }
    if (behaviour === 'slow-stream') {
      const tick = sseFrame({ event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'tick ' } } });
      frames = [...frames.slice(0, firstDelta), ...Array.from({ length: slowChunks }, () => tick), ...frames.slice(-3)];
      gap = interval;
    }
    const step = (i: number): void => {
      if (res.destroyed) return;
      const frame = frames[i];
      if (frame === undefined || frame === 'END') return void res.end();
      if (frame === 'HANG') return;
      if (frame === 'DROP') return later(10, () => res.destroy()); // after the frames went out
      res.write(frame);
      if (gap > 0) later(gap, () => step(i + 1));
      else step(i + 1);
    };
    step(0);
  };

  const server = await listenLocal(handle, timers, options.port);
  const port = server.port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setBehaviour: (b) => void (forced = b),
    waitForRequest: (predicate = () => true, timeoutMs = 2_000) => log.waitFor(predicate, timeoutMs),
    close: () => server.close(),
  };
}
