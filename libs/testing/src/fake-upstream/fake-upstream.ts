import { type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from '../local-http-server';
import { performance } from 'node:perf_hooks';
import { completionBody, planReply, promptTokens, streamChunks, type ChatRequestBody, type ReplyOptions } from './fake-replies';
import {
  FAKE_BEHAVIOURS,
  type FakeBehaviour,
  type FakeUpstream,
  type FakeUpstreamOptions,
  type RecordedRequest,
} from './fake-upstream.types';

const FAILURES: Partial<Record<FakeBehaviour, { status: number; type: string; code: string | null; message: string; param?: string }>> = {
  'fail-400': { status: 400, type: 'invalid_request_error', code: 'invalid_value', param: 'temperature', message: "Invalid value for 'temperature' (fake rejection)." },
  'fail-404': { status: 404, type: 'invalid_request_error', code: 'model_not_found', param: 'model', message: 'The model does not exist (fake).' },
  'fail-422': { status: 422, type: 'invalid_request_error', code: null, message: 'Unprocessable request (fake).' },
  'fail-429': { status: 429, type: 'rate_limit_exceeded', code: 'rate_limit_exceeded', message: 'Rate limit reached for fake-model (fake).' },
  'fail-500': { status: 500, type: 'server_error', code: null, message: 'The fake upstream failed.' },
  'fail-503': { status: 503, type: 'overloaded_error', code: null, message: 'The fake upstream is overloaded.' },
};

/**
 * A deterministic OpenAI-compatible upstream on 127.0.0.1 for tests: `POST /v1/chat/completions` (streaming and
 * not), `GET /v1/models` and a vLLM-style `POST /tokenize` (`{count}`). Answers are described in `planReply`, failure modes in {@link FakeBehaviour}.
 * Records every request; prints nothing.
 */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const replyOpts: ReplyOptions = {
    toolArguments: options.toolArguments ?? '{"city":"Paris"}',
    toolArgumentFragments: options.toolArgumentFragments ?? 3,
    cachedTokens: options.cachedTokens ?? 0,
    parallelTools: false,
    toolName: options.toolName,
  };
  const interval = options.chunkIntervalMs ?? 50;
  const slowChunks = options.slowChunks ?? 200;
  const requests: RecordedRequest[] = [];
  const waiters = new Set<(r: RecordedRequest) => void>();
  const timers = new Set<NodeJS.Timeout>();
  let forced = options.behaviour;

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const choose = (req: IncomingMessage, body: ChatRequestBody | undefined): FakeBehaviour => {
    if (forced) return forced;
    const header = req.headers['x-fake-behaviour'];
    const wanted = typeof header === 'string' ? header : body?.model;
    return FAKE_BEHAVIOURS.find((b) => b === wanted) ?? 'ok';
  };

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string): void => {
    let body: ChatRequestBody | undefined;
    try {
      body = rawBody ? (JSON.parse(rawBody) as ChatRequestBody) : undefined;
    } catch {
      body = undefined;
    }
    const behaviour = choose(req, body);
    let resolveClosed!: () => void;
    const rec: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      remotePort: req.socket.remotePort ?? 0,
      body,
      rawBody,
      behaviour,
      receivedAt: performance.now(),
      aborted: false,
      closed: new Promise<void>((r) => (resolveClosed = r)),
    };
    res.on('close', () => {
      rec.closedAt = performance.now();
      rec.aborted = !res.writableFinished;
      resolveClosed();
    });
    requests.push(rec);
    for (const w of [...waiters]) w(rec);
    const no = requests.length;
    const path = (req.url ?? '').split('?')[0];

    if (req.method === 'GET' && path === '/v1/models') {
      const data = (options.models ?? ['fake-model']).map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' }));
      return json(res, 200, { object: 'list', data });
    }
    if (req.method === 'POST' && path === '/tokenize') {
      if (behaviour === 'fail-500') return error(res, 500, 'server_error', 'The fake tokenizer failed.');
      return json(res, 200, { count: promptTokens(body), max_model_len: 8192, tokens: [] });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') return error(res, 404, 'invalid_request_error', 'Unknown route (fake).');
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return error(res, 401, 'invalid_request_error', 'Missing or wrong API key (fake).', 'invalid_api_key');
    }
    if (behaviour === 'fail-401') {
      const sent = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      return error(res, 401, 'invalid_request_error', `Incorrect API key provided: ${sent}.`, 'invalid_api_key');
    }
    const failure = FAILURES[behaviour];
    if (failure) {
      if (behaviour === 'fail-429') res.setHeader('retry-after', '1');
      return error(res, failure.status, failure.type, failure.message, failure.code, failure.param);
    }
    if (!body || !Array.isArray(body.messages)) return error(res, 400, 'invalid_request_error', "'messages' is required (fake).");
    if (behaviour === 'hang') return;

    const model = body.model ?? 'fake-model';
    const reply = planReply(body, no, { ...replyOpts, parallelTools: behaviour === 'parallel-tools' });
    if (!body.stream || behaviour === 'json-for-stream') {
      if (behaviour === 'bad-json') return text(res, 200, 'application/json', '{"id":"chatcmpl-fake", not json');
      const payload = JSON.stringify(completionBody(reply, model, no));
      if (behaviour === 'drop-mid-stream') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
        res.write(payload.slice(0, payload.length >> 1));
        return later(10, () => res.destroy());
      }
      return text(res, 200, 'application/json', payload);
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const withUsage = body.stream_options?.include_usage === true && behaviour !== 'no-usage';
    let frames = streamChunks(reply, model, no, { ...replyOpts, charChunks: behaviour === 'char-stream' }, withUsage).map((c) => `data: ${c}\n\n`);
    let gap = 0;
    if (behaviour === 'hang-body') frames = frames.slice(0, 1).concat('HANG');
    if (behaviour === 'bad-json') frames = [frames[0], 'data: {"choices": [nope\n\n'];
    if (behaviour === 'drop-mid-stream') frames = frames.slice(0, 3).concat('DROP');
    if (behaviour === 'error-mid-stream') {
      frames = frames.slice(0, 2).concat('data: {"error":{"message":"The fake upstream broke mid-stream.","type":"server_error"}}\n\n', 'END');
    }
    if (behaviour === 'slow-stream') {
      const word = streamChunks({ ...reply, text: 'tick ' }, model, no, replyOpts, false)[1];
      frames = [frames[0], ...Array.from({ length: slowChunks }, () => `data: ${word}\n\n`), ...frames.slice(withUsage ? -2 : -1)];
      gap = interval;
    }
    if (!frames.some((f) => f === 'HANG' || f === 'DROP' || f === 'END')) frames.push('data: [DONE]\n\n', 'END');
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
    waitForRequest(predicate = () => true, timeoutMs = 2_000) {
      const found = requests.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<RecordedRequest>((resolve, reject) => {
        const waiter = (r: RecordedRequest): void => {
          if (!predicate(r)) return;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(r);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`fake upstream: no matching request within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => server.close(),
  };
}

function text(res: ServerResponse, status: number, type: string, payload: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function json(res: ServerResponse, status: number, payload: unknown): void {
  text(res, status, 'application/json', JSON.stringify(payload));
}

function error(res: ServerResponse, status: number, type: string, message: string, code: string | null = null, param?: string): void {
  json(res, status, { error: { message, type, param: param ?? null, code } });
}
