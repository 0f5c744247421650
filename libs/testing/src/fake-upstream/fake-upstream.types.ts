import type { IncomingHttpHeaders } from 'node:http';

/**
 * What the fake does with a request. Chosen, first match wins, by `setBehaviour()`, the `x-fake-behaviour`
 * request header, or the request's `model` when it equals a behaviour name; otherwise `ok`.
 * - `ok`: a deterministic answer (see startFakeUpstream).
 * - `fail-400|401|404|422|429|500|503`: that status with an OpenAI error body (`fail-401` echoes the Bearer
 *   token in its message, like OpenAI does, to test redaction; `fail-429` sets `retry-after: 1`).
 * - `hang`: reads the request and never answers (timeouts). `hang-body`: stream headers + role chunk, then silence.
 * - `slow-stream`: `slowChunks` content chunks every `chunkIntervalMs` (client-disconnect tests).
 * - `bad-json`: 200 with an unparsable body (or an unparsable SSE event when streaming).
 * - `drop-mid-stream`: part of the answer, then the socket is destroyed.
 * - `error-mid-stream`: a content chunk, then `data: {"error":{...}}` and the end of the stream.
 * - `no-usage`: streams without the usage chunk even when asked for it.
 * - `json-for-stream`: answers a streaming request with a non-streaming JSON body.
 * - `parallel-tools`: two tool calls (first two tools, or the first twice) instead of one.
 * - `char-stream`: streams the text (and tool arguments) one character per chunk (split-token policy tests).
 */
export type FakeBehaviour =
  | 'ok'
  | 'fail-400'
  | 'fail-401'
  | 'fail-404'
  | 'fail-422'
  | 'fail-429'
  | 'fail-500'
  | 'fail-503'
  | 'hang'
  | 'hang-body'
  | 'slow-stream'
  | 'bad-json'
  | 'drop-mid-stream'
  | 'error-mid-stream'
  | 'no-usage'
  | 'json-for-stream'
  | 'parallel-tools'
  | 'char-stream';

export const FAKE_BEHAVIOURS: readonly FakeBehaviour[] = [
  'ok',
  'fail-400',
  'fail-401',
  'fail-404',
  'fail-422',
  'fail-429',
  'fail-500',
  'fail-503',
  'hang',
  'hang-body',
  'slow-stream',
  'bad-json',
  'drop-mid-stream',
  'error-mid-stream',
  'no-usage',
  'json-for-stream',
  'parallel-tools',
  'char-stream',
];

export interface FakeUpstreamOptions {
  /** Default 0 (a free port). The host is always 127.0.0.1. */
  port?: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
  apiKey?: string;
  /** Arguments JSON of the (first) tool call. Default `{"city":"Paris"}`. */
  toolArguments?: string;
  /** Tool to call when the request offers it (Claude Code and Codex send many). Default: the forced or first tool. */
  toolName?: string;
  /** Pieces the tool arguments are streamed in. Default 3. */
  toolArgumentFragments?: number;
  /** `slow-stream` interval. Default 50 ms. */
  chunkIntervalMs?: number;
  /** `slow-stream` number of content chunks. Default 200. */
  slowChunks?: number;
  /** Reported as `usage.prompt_tokens_details.cached_tokens`. Default 0. */
  cachedTokens?: number;
  /** Ids listed by `GET /v1/models`. Default `['fake-model']`. */
  models?: string[];
  /** Behaviour forced from the start (same as calling `setBehaviour`). */
  behaviour?: FakeBehaviour;
}

export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Client port of the connection (same value on consecutive requests = the connection was reused). */
  remotePort: number;
  /** Parsed JSON body, or undefined when there was none or it was not JSON (loosely typed: tests poke into it). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  rawBody: string;
  behaviour: FakeBehaviour;
  /** `performance.now()` when the request was fully read. */
  receivedAt: number;
  /** True when the connection closed before the response was complete (client abort, or a `drop-*` behaviour). */
  aborted: boolean;
  /** `performance.now()` when the response was finished or the connection closed, once that happened. */
  closedAt?: number;
  /** Resolves when the response finished or its connection closed. */
  closed: Promise<void>;
}

export interface FakeUpstream {
  /** Base URL without path, e.g. `http://127.0.0.1:41234`; the OpenAI base is `${url}/v1`. */
  url: string;
  port: number;
  /** Every request, in arrival order (after its body was read). */
  requests: RecordedRequest[];
  /** Forces a behaviour for every following request; `undefined` goes back to header/model selection. */
  setBehaviour(behaviour: FakeBehaviour | undefined): void;
  /** Resolves with the first recorded request (past or future) matching `predicate`; rejects after `timeoutMs` (2 s). */
  waitForRequest(predicate?: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Stops timers, destroys open connections and closes the server. */
  close(): Promise<void>;
}
