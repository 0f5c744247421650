import { ArgumentsHost, Catch, NotFoundException, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { fromFastifyError, type EdgeRequest } from './edge-errors';
import { logSafeError } from './log-safe';

/**
 * Turns a failure into a response in the app's envelope. `req` is a Fastify request, or an
 * {@link EdgeRequest} stand-in for errors Node raised before Fastify made one (`'edge' in req`). Declared
 * as a method so that renderers written against `FastifyRequest` alone (unit tests driving only Nest
 * errors) still fit; a real app's renderer takes the union.
 */
export interface ErrorRenderer {
  render(err: unknown, req: FastifyRequest | EdgeRequest): { status: number; body: unknown; headers?: Record<string, string> };
}
type RenderFn = ErrorRenderer['render'];

/**
 * A 413's body is drained (discarded) rather than the connection closed under it: closing with unread
 * input resets the connection, and the client sees EPIPE instead of the 413. Past this many bytes (or
 * the request timeout) the connection is dropped after all.
 */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The single place an app turns failures into responses: Nest exceptions (including unknown routes),
 * Fastify's own errors (bad JSON, body too large, wrong content type) and Node's client errors go
 * through the app's renderer. Replies that already started (streams) are left alone: they report errors
 * in-band.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(
    readonly render: RenderFn,
    private readonly logger: Logger,
    /** Named in 413 messages. */
    private readonly bodyLimit?: number,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.send(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  send(exception: unknown, req: FastifyRequest, reply: FastifyReply): void {
    const err =
      exception instanceof NotFoundException && /^Cannot [A-Z]+ /.test(exception.message)
        ? Object.assign(new Error(`Unknown request URL: ${req.method} ${req.url.split('?')[0]}. Check the base URL (OpenAI clients need '/v1').`), { statusCode: 404, code: 'unknown_url' })
        : fromFastifyError(exception, this.bodyLimit, req.headers['content-type']);
    const { status, body, headers } = this.render(err, req);
    // Never the error object itself: a QueryFailedError carries the SQL parameters (caller input).
    if (status >= 500) this.logger.error({ reqId: req.id, err: logSafeError(exception) }, 'request failed');
    if (reply.sent || reply.raw.headersSent) return;
    if (status === 413) drainInsteadOfClosing(req, reply);
    if (headers) void reply.headers(headers);
    void reply.status(status).header('content-type', 'application/json').send(body);
  }
}

/**
 * Fastify marks parser errors `connection: close`; for a body still arriving that turns into a reset.
 * Without it Node reads the rest of the body and discards it (`IncomingMessage._dump`), and the
 * connection stays usable. A body declared (or found) larger than {@link DRAIN_MAX_BYTES} is not worth
 * reading: then the connection is closed.
 */
function drainInsteadOfClosing(req: FastifyRequest, reply: FastifyReply): void {
  if (req.raw.complete) return;
  const declared = Number(req.headers['content-length']);
  if (declared > DRAIN_MAX_BYTES) return;
  reply.removeHeader('connection');
  reply.raw.once('finish', () => {
    let seen = 0;
    // Added after Node's own 'finish' listener started the dump, which removes earlier 'data' listeners.
    req.raw.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_MAX_BYTES) req.raw.socket?.destroy();
    });
  });
}
