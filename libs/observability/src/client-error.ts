import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fromClientError, rawHttpResponse, type EdgeOptions, type EdgeRequest } from './edge-errors';
import type { HttpErrorFilter } from './http-error.filter';

/** How long a connection we answered on our own stays open to read what the client is still sending. */
const LINGER_MS = 1_000;

/**
 * Node's `clientError` event, where errors arrive that come before Fastify or outside it: a malformed
 * request line or header (a NUL or control byte), headers over the size limit (431), headers or body too
 * slow (408), bad chunked framing. Fastify's default answers those with its own body shape; this answers
 * in the app's envelope, through the same filter as every other error.
 */
export class ClientErrorHandler {
  /** The request each connection is on; set in `onRequest`, so it exists only once the headers parsed. */
  private readonly current = new WeakMap<Socket, { req: FastifyRequest; reply: FastifyReply }>();
  /** Connections already answered here: the parser re-raises its error for every further chunk. */
  private readonly answered = new WeakSet<Socket>();

  constructor(
    private readonly filter: HttpErrorFilter,
    private readonly opts: EdgeOptions,
  ) {}

  /** Hooks that track each connection's current request. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (req, reply, done) => {
      this.current.set(req.raw.socket, { req, reply });
      done();
    });
  }

  /** Fastify's `clientErrorHandler` option. */
  readonly handle = (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || socket.destroyed || this.answered.has(socket)) return;
    const entry = this.current.get(socket);
    const pending = entry && !entry.req.raw.complete ? entry : undefined;
    if (pending && !pending.reply.sent && !pending.reply.raw.headersSent) {
      // Headers were parsed, the body is late or malformed: an ordinary error response for that request
      // (its id, its envelope, audited like any request refused before the handler).
      this.answered.add(socket);
      void pending.reply.header('connection', 'close');
      this.filter.send(fromClientError(err, this.opts), pending.req, pending.reply);
      return;
    }
    if (entry && (pending || !entry.reply.raw.writableFinished)) {
      // A response is under way (or was given while the body was still draining): nothing can be added.
      socket.destroy();
      return;
    }
    this.answered.add(socket);
    const edgeReq = edgeRequestOf(err);
    const { status, body, headers } = this.filter.render(fromClientError(err, this.opts), edgeReq);
    const extra: Record<string, string> = { 'x-request-id': edgeReq.id, 'request-id': edgeReq.id };
    for (const [k, v] of Object.entries(headers ?? {})) extra[k] = v.replace(/[\r\n]/g, '');
    if (socket.writable) socket.write(rawHttpResponse(status, body, extra));
    closeGently(socket);
  };
}

/**
 * The request line of the packet the parser choked on, if any (it picks the envelope: Anthropic paths
 * answer in Anthropic's). A header timeout has none, nor a header block that arrived in several reads (the
 * packet is the last read only): then the path is unknown. Keeping each connection's first bytes would need a
 * `data` listener, which moves every request of every connection off Node's native parser path (~8 % of a bare
 * server's RPS measured here), for an error case; the renderer answers those in a body both envelopes accept.
 */
function edgeRequestOf(err: NodeJS.ErrnoException & { rawPacket?: unknown }): EdgeRequest {
  const packet = Buffer.isBuffer(err.rawPacket) ? err.rawPacket.subarray(0, 2048).toString('latin1') : '';
  const line = /^([A-Z]{1,16}) (\/[^\s]*) HTTP\/1\.[01]\r?\n/.exec(packet);
  return {
    edge: true,
    id: `req_${randomUUID().replaceAll('-', '')}`,
    method: line?.[1] ?? 'GET',
    url: line?.[2] ?? '/',
    startedAt: performance.now(),
    startedAtMs: Date.now(),
    ...(line ? {} : { unknownPath: true }),
  };
}

/**
 * Ends the connection after the response without resetting it: closing a socket with unread input makes
 * the kernel send RST, which can destroy the response before the client reads it. So the socket is
 * half-closed and kept reading (and discarding) until the client closes too, or LINGER_MS passed.
 */
export function closeGently(socket: Socket): void {
  socket.end();
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
