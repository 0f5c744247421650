import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { ClientErrorHandler } from './client-error';
import { DEFAULT_EDGE_OPTIONS, type EdgeOptions } from './edge-errors';
import { HttpErrorFilter, type ErrorRenderer } from './http-error.filter';
import { registerJsonBodyParser } from './json-body-parser';
import { PinoNestLogger } from './logger';
import './status-phrases';

declare module 'fastify' {
  interface FastifyRequest {
    /** `performance.now()` at arrival. */
    startedAt: number;
    /** Wall clock at arrival. */
    startedAtMs: number;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface HttpAppOptions {
  title: string;
  description: string;
  logger: Logger;
  bodyLimit: number;
  /** JSON structure limits and connection timeouts; the configuration's defaults when absent. */
  edge?: EdgeOptions;
  trustProxy: string;
  /** Renders every error, including Fastify's (bad JSON, body too large, no route) and Node's (bad header, 431, 408). */
  renderError: ErrorRenderer['render'];
}

/** Creates a Nest app on Fastify with request ids, JSON access logs, one error renderer and /docs. */
export async function createHttpApp(module: Type | object, opts: HttpAppOptions): Promise<NestFastifyApplication> {
  const edge = opts.edge ?? DEFAULT_EDGE_OPTIONS;
  const filter = new HttpErrorFilter(opts.renderError, opts.logger, opts.bodyLimit);
  const clientErrors = new ClientErrorHandler(filter, edge);
  const adapter = new FastifyAdapter({
    bodyLimit: opts.bodyLimit,
    ...serverTimeouts(edge),
    clientErrorHandler: clientErrors.handle,
    trustProxy: opts.trustProxy ? opts.trustProxy.split(',').map((s) => s.trim()) : false,
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : `req_${randomUUID().replaceAll('-', '')}`;
    },
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new PinoNestLogger(opts.logger),
    // Nest's parsers would parse JSON without our limits (and forms): ours is the only one.
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBodyParser(fastify, opts.bodyLimit, edge.json);
  clientErrors.install(fastify);
  fastify.addHook('onRequest', (req, reply, done) => {
    req.startedAt = performance.now();
    req.startedAtMs = Date.now();
    // OpenAI's SDK reads `x-request-id`, Anthropic's `request-id`: send both.
    void reply.header('x-request-id', req.id).header('request-id', req.id);
    done();
  });
  // One access-log line per request, written when its response closes: finished, hijacked (streams) or cut by the
  // client (Fastify's onResponse runs only on 'finish', so aborted requests had no line). An abort before the
  // status was sent is logged as 499 (nginx's "client closed request").
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.raw.once('close', () => {
      const finished = reply.raw.writableFinished;
      const status = reply.raw.headersSent ? reply.raw.statusCode : finished ? reply.statusCode : 499;
      const line = { reqId: req.id, method: req.method, url: req.url, status, ms: +(performance.now() - req.startedAt).toFixed(2) };
      opts.logger.info(finished ? line : { ...line, aborted: true }, 'request');
    });
    done();
  });
  app.useGlobalFilters(filter);
  setupDocs(app, opts);
  return app;
}

/**
 * Node's request timers cover only the arrival of a request (headers, then the whole body): once it is
 * in, a response may take as long as it needs, so a 10-minute stream or a slow upstream is never cut.
 * The socket inactivity timeout (`connectionTimeout`) would cut a quiet stream, so it stays off; idle
 * keep-alive connections are closed by `keepAliveTimeout`. Node checks the request timers every
 * `connectionsCheckingInterval` (30 s by default, far too coarse for a 2 s timeout), hence the interval.
 */
function serverTimeouts(edge: EdgeOptions) {
  const request = edge.requestTimeoutMs;
  const headers = request > 0 ? Math.min(edge.headersTimeoutMs, request) : edge.headersTimeoutMs;
  const shortest = Math.min(...[request, headers].filter((t) => t > 0));
  const interval = Number.isFinite(shortest) ? Math.max(100, Math.min(5_000, Math.floor(shortest / 4))) : 30_000;
  return {
    requestTimeout: request,
    keepAliveTimeout: edge.keepAliveTimeoutMs,
    connectionTimeout: 0,
    http: { requestTimeout: request, headersTimeout: headers, connectionsCheckingInterval: interval },
  };
}

function setupDocs(app: INestApplication, opts: HttpAppOptions): void {
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(opts.title).setDescription(opts.description).setVersion('0.1.0').addBearerAuth().build(),
  );
  SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs/openapi.json' });
}
