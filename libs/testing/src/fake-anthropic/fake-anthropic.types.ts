import type { IncomingHttpHeaders } from 'node:http';

/**
 * What the fake Anthropic upstream does with a request. Chosen, first match wins, by `setBehaviour()`, the
 * `x-fake-behaviour` request header, or the request's `model` when it equals a behaviour name; otherwise `ok`.
 * - `ok`: a deterministic answer (see `planAnthropicReply`).
 * - `fail-400|401|403|404|413|429|500|503|529`: that status with an Anthropic error envelope (`fail-401` echoes the
 *   sent `x-api-key` in its message, to test redaction; `fail-429` sets `retry-after: 1`).
 * - `hang`: reads the request and never answers. `hang-body`: stream headers + `message_start`, then silence.
 * - `slow-stream`: `slowChunks` text deltas every `chunkIntervalMs` (client-disconnect tests).
 * - `error-mid-stream`: one text delta, then `event: error` (`overloaded_error`) and the end of the stream.
 * - `drop-mid-stream`: part of the answer, then the socket is destroyed.
 * - `bad-json`: 200 with an unparsable body (or an unparsable SSE event when streaming; count_tokens too).
 * - `thinking`: a thinking block (with signature) before the answer.
 * Whatever the behaviour, a request with thinking on that answers tool calls gets Anthropic's 400 unless the assistant
 * turn starts with thinking and its signatures are ones this fake issued (see `thinkingProblem`).
 * - `parallel-tools`: two tool_use blocks (first two tools, or the first twice) instead of one.
 * - `refusal`: a short text with `stop_reason: "refusal"`.
 * - `json-for-stream`: answers a streaming request with a non-streaming JSON body.
 */
export type FakeAnthropicBehaviour =
  | 'ok'
  | 'fail-400'
  | 'fail-401'
  | 'fail-403'
  | 'fail-404'
  | 'fail-413'
  | 'fail-429'
  | 'fail-500'
  | 'fail-503'
  | 'fail-529'
  | 'hang'
  | 'hang-body'
  | 'slow-stream'
  | 'error-mid-stream'
  | 'drop-mid-stream'
  | 'bad-json'
  | 'thinking'
  | 'parallel-tools'
  | 'refusal'
  | 'json-for-stream';

export const FAKE_ANTHROPIC_BEHAVIOURS: readonly FakeAnthropicBehaviour[] = [
  'ok',
  'fail-400',
  'fail-401',
  'fail-403',
  'fail-404',
  'fail-413',
  'fail-429',
  'fail-500',
  'fail-503',
  'fail-529',
  'hang',
  'hang-body',
  'slow-stream',
  'error-mid-stream',
  'drop-mid-stream',
  'bad-json',
  'thinking',
  'parallel-tools',
  'refusal',
  'json-for-stream',
];

export interface FakeAnthropicOptions {
  /** Default 0 (a free port). The host is always 127.0.0.1. */
  port?: number;
  /** When set, requests without `x-api-key: <apiKey>` get a 401 `authentication_error`. */
  apiKey?: string;
  /** JSON text of the (first) tool call's input, streamed verbatim as `partial_json`. Default `{"city":"Paris"}`. */
  toolArguments?: string;
  /** Pieces the tool input is streamed in. Default 3. */
  toolArgumentFragments?: number;
  /** Text block sent before the tool_use block(s), so tool blocks do not start at index 0. Default none. */
  toolPreamble?: string;
  /** Tool to call when the request offers it. Default: the forced (`tool_choice.type: "tool"`) or first one. */
  toolName?: string;
  /** `slow-stream` interval. Default 50 ms. */
  chunkIntervalMs?: number;
  /** `slow-stream` number of text deltas. Default 200. */
  slowChunks?: number;
  /** Reported as `usage.cache_read_input_tokens` (taken out of `input_tokens`, as Anthropic does). Default 0. */
  cachedTokens?: number;
  /** Behaviour forced from the start (same as calling `setBehaviour`). */
  behaviour?: FakeAnthropicBehaviour;
}

export interface AnthropicRecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v1/messages`. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Client port of the connection (same value on consecutive requests = the connection was reused). */
  remotePort: number;
  /** Parsed JSON body, or undefined when there was none or it was not JSON (loosely typed: tests poke into it). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  rawBody: string;
  behaviour: FakeAnthropicBehaviour;
  /** `performance.now()` when the request was fully read. */
  receivedAt: number;
  /** True when the connection closed before the response was complete (client abort, or `drop-mid-stream`). */
  aborted: boolean;
  /** `performance.now()` when the response was finished or the connection closed, once that happened. */
  closedAt?: number;
  /** Resolves when the response finished or its connection closed. */
  closed: Promise<void>;
}

export interface FakeAnthropic {
  /** Base URL without path, e.g. `http://127.0.0.1:41234` (what the Anthropic SDK takes as `baseURL`). */
  url: string;
  port: number;
  /** Every request, in arrival order (after its body was read). */
  requests: AnthropicRecordedRequest[];
  /** Forces a behaviour for every following request; `undefined` goes back to header/model selection. */
  setBehaviour(behaviour: FakeAnthropicBehaviour | undefined): void;
  /** Resolves with the first recorded request (past or future) matching `predicate`; rejects after `timeoutMs` (2 s). */
  waitForRequest(predicate?: (r: AnthropicRecordedRequest) => boolean, timeoutMs?: number): Promise<AnthropicRecordedRequest>;
  /** Stops timers, destroys open connections and closes the server. */
  close(): Promise<void>;
}
