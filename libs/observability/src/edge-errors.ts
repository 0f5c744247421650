import { STATUS_CODES } from 'node:http';
import type { JsonLimits } from './json-limits';

/** Limits and timeouts of the HTTP edge, shared by both apps (each has its own body size limit). */
export interface EdgeOptions {
  json: JsonLimits;
  /** Whole request (headers and body) must arrive within this; 0 = no limit. Responses are not covered. */
  requestTimeoutMs: number;
  /** Request headers must arrive within this (capped at `requestTimeoutMs`). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
}

/**
 * A failure of the HTTP layer itself (framing, size, content type, timing), raised before any handler ran.
 * `code` is a stable snake_case wire code; renderers put it in their envelope as they see fit.
 */
export class EdgeError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'EdgeError';
  }
}

/** What a renderer may read of a request Node rejected before Fastify made one (bad header byte, 431, header timeout). */
export interface EdgeRequest {
  readonly edge: true;
  id: string;
  method: string;
  url: string;
  startedAt: number;
  startedAtMs: number;
  /** The request line was not in what the parser choked on (a header block split across reads): the path is unknown. */
  unknownPath?: boolean;
}

const printable = (s: string, max: number) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, max);

const codeOf = (e: unknown): unknown => (e as { code?: unknown } | null | undefined)?.code;

/**
 * Fastify's own request errors (content-type parser, URL) as {@link EdgeError}s with our codes and
 * messages; anything else is returned unchanged. Nest's adapter hands them on wrapped in an
 * HttpException whose `cause` is Fastify's error.
 */
export function fromFastifyError(err: unknown, bodyLimit: number | undefined, contentType?: string): unknown {
  const code = codeOf(err) ?? (err instanceof Error ? codeOf(err.cause) : undefined);
  if (typeof code !== 'string') return err;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new EdgeError(413, 'request_too_large', bodyLimit ? `The request body is larger than the ${bodyLimit}-byte limit.` : 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new EdgeError(415, 'unsupported_media_type', `Unsupported content type '${printable(contentType ?? '', 100)}': send the body as application/json.`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new EdgeError(400, 'invalid_json', 'The request body is empty but content-type is application/json.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new EdgeError(400, 'invalid_json', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new EdgeError(400, 'invalid_content_length', 'The request body does not match its Content-Length.');
    case 'FST_ERR_BAD_URL':
      return new EdgeError(400, 'invalid_url', 'The request URL is malformed.');
    default:
      return err;
  }
}

/** An error Node's HTTP parser or its timers raised on a connection (the server's `clientError` event). */
export function fromClientError(err: NodeJS.ErrnoException & { reason?: unknown }, opts: Pick<EdgeOptions, 'requestTimeoutMs'>): EdgeError {
  switch (err.code ?? '') {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new EdgeError(408, 'request_timeout', `The request was not received in time (headers and body must arrive within ${opts.requestTimeoutMs} ms).`);
    case 'HPE_HEADER_OVERFLOW':
      return new EdgeError(431, 'request_header_fields_too_large', 'The request headers are too large.');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new EdgeError(413, 'request_too_large', 'The chunk extensions of the request body are too large.');
    default: {
      // llhttp's reasons are fixed phrases ("Invalid header value char"); never the request's bytes.
      const reason = typeof err.reason === 'string' ? printable(err.reason, 80) : 'parse error';
      return new EdgeError(400, 'malformed_http_request', `The request is not valid HTTP/1.1: ${reason}.`);
    }
  }
}

/** A complete HTTP/1.1 response for writing straight to a socket; the connection is closed after it. */
export function rawHttpResponse(status: number, body: unknown, headers: Record<string, string>): string {
  const json = JSON.stringify(body);
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`, 'content-type: application/json; charset=utf-8', `content-length: ${Buffer.byteLength(json)}`, 'connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${json}`;
}

/** The configuration's defaults (libs/config), for apps built without a configuration (tests). */
export const DEFAULT_EDGE_OPTIONS: EdgeOptions = {
  json: { maxDepth: 64, maxArrayItems: 100_000, maxValues: 1_000_000 },
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 15_000,
  keepAliveTimeoutMs: 72_000,
};

/** The edge settings of the configuration (`JSON_MAX_*`, `*_TIMEOUT_MS`). */
export function edgeOptions(env: {
  JSON_MAX_DEPTH: number;
  JSON_MAX_ARRAY_ITEMS: number;
  JSON_MAX_VALUES: number;
  REQUEST_TIMEOUT_MS: number;
  HEADERS_TIMEOUT_MS: number;
  KEEP_ALIVE_TIMEOUT_MS: number;
}): EdgeOptions {
  return {
    json: { maxDepth: env.JSON_MAX_DEPTH, maxArrayItems: env.JSON_MAX_ARRAY_ITEMS, maxValues: env.JSON_MAX_VALUES },
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
  };
}
