import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from '../local-http-server';

/**
 * What a fake classifier upstream does with the next requests:
 * - `ok`: answers by its keyword rule.
 * - `down`: HTTP 503 with an OpenAI error body.
 * - `slow`: answers correctly, but only after `slowMs` (timeouts; the timer is cleared on close or disconnect).
 * - `garbage`: HTTP 200 with a body of the wrong shape (a moderation body without categories, a guard that
 *   chats instead of answering `safe`/`unsafe`).
 */
export type FakeClassifierMode = 'ok' | 'down' | 'slow' | 'garbage';

export interface FakeClassifierRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, undefined when it was not JSON. */
  body: unknown;
  /** True when the client went away before the answer was sent (abort and timeout tests). */
  aborted: boolean;
}

export interface FakeClassifierServer {
  url: string;
  requests: FakeClassifierRequest[];
  setMode(mode: FakeClassifierMode): void;
  close(): Promise<void>;
}

export interface FakeClassifierOptions {
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** Delay of `slow` mode. Defaults to 10 s. */
  slowMs?: number;
}

/** `flag:<name>` or `flag:<name>=<score>` markers in a text, in order of appearance. */
export function markers(text: string): { name: string; score: number | null }[] {
  return [...text.matchAll(/flag:([A-Za-z0-9/_-]+)(?:=([0-9.]+))?/g)].map((m) => ({ name: m[1], score: m[2] === undefined ? null : Number(m[2]) }));
}

/**
 * The node:http scaffolding both fake classifiers share: 127.0.0.1 on a free port, JSON in, modes, recording.
 * `route` answers one parsed `ok`-mode request with `[status, body]`; `garbage` answers with `garbage`.
 */
export async function startFakeClassifierServer(
  options: FakeClassifierOptions,
  path: string,
  route: (body: unknown) => [number, unknown],
  garbage: (body: unknown) => unknown,
): Promise<FakeClassifierServer> {
  const requests: FakeClassifierRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let mode: FakeClassifierMode = 'ok';

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    let body: unknown;
    try {
      body = JSON.parse(raw) as unknown;
    } catch {
      body = undefined;
    }
    const rec: FakeClassifierRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, aborted: false };
    requests.push(rec);
    res.on('close', () => (rec.aborted = !res.writableFinished));
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== path) return send(res, 404, errorBody('Unknown route (fake).', 'invalid_request_error'));
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return send(res, 401, errorBody('Incorrect API key provided (fake).', 'invalid_request_error', 'invalid_api_key'));
    }
    if (mode === 'down') return send(res, 503, errorBody('The fake classifier is down.', 'server_error'));
    if (mode === 'garbage') return send(res, 200, garbage(body));
    if (body === undefined) return send(res, 400, errorBody('Body is not JSON (fake).', 'invalid_request_error'));
    const [status, payload] = route(body);
    if (mode !== 'slow') return send(res, status, payload);
    const t = setTimeout(() => {
      timers.delete(t);
      if (!res.destroyed) send(res, status, payload);
    }, options.slowMs ?? 10_000);
    timers.add(t);
    res.on('close', () => {
      clearTimeout(t);
      timers.delete(t);
    });
  };

  const server = await listenLocal(handle, timers);
  const port = server.port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setMode: (m) => void (mode = m),
    close: () => server.close(),
  };
}

export function errorBody(message: string, type: string, code: string | null = null): unknown {
  return { error: { message, type, param: null, code } };
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
