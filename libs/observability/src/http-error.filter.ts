import { ArgumentsHost, Catch, NotFoundException, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

export type ErrorRenderer = (err: unknown, req: FastifyRequest) => { status: number; body: unknown; headers?: Record<string, string> };

/**
 * The single place an app turns failures into responses: Nest exceptions (including unknown routes)
 * and Fastify's own errors (bad JSON, body too large) go through the app's renderer. Replies that
 * already started (streams) are left alone: they report errors in-band.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(
    private readonly render: ErrorRenderer,
    private readonly logger: Logger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.send(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  send(exception: unknown, req: FastifyRequest, reply: FastifyReply): void {
    const err =
      exception instanceof NotFoundException && /^Cannot [A-Z]+ /.test(exception.message)
        ? Object.assign(new Error(`Unknown request URL: ${req.method} ${req.url.split('?')[0]}. Check the base URL (OpenAI clients need '/v1').`), { statusCode: 404, code: 'unknown_url' })
        : exception;
    const { status, body, headers } = this.render(err, req);
    if (status >= 500) this.logger.error({ reqId: req.id, err: exception }, 'request failed');
    if (reply.sent || reply.raw.headersSent) return;
    if (headers) void reply.headers(headers);
    void reply.status(status).header('content-type', 'application/json').send(body);
  }
}
