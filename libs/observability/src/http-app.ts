import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { HttpErrorFilter, type ErrorRenderer } from './http-error.filter';
import { PinoNestLogger } from './logger';

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
  trustProxy: string;
  /** Renders errors Fastify raises before Nest sees the request (bad JSON, body too large, no route). */
  renderError: ErrorRenderer;
}

/** Creates a Nest app on Fastify with request ids, JSON access logs, one error renderer and /docs. */
export async function createHttpApp(module: Type | object, opts: HttpAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: opts.bodyLimit,
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
    bodyParser: true,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (req, reply, done) => {
    req.startedAt = performance.now();
    req.startedAtMs = Date.now();
    // OpenAI's SDK reads `x-request-id`, Anthropic's `request-id`: send both.
    void reply.header('x-request-id', req.id).header('request-id', req.id);
    done();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    opts.logger.info(
      { reqId: req.id, method: req.method, url: req.url, status: reply.statusCode, ms: +(performance.now() - req.startedAt).toFixed(2) },
      'request',
    );
    done();
  });
  const filter = new HttpErrorFilter(opts.renderError, opts.logger);
  app.useGlobalFilters(filter);
  setupDocs(app, opts);
  return app;
}

function setupDocs(app: INestApplication, opts: HttpAppOptions): void {
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(opts.title).setDescription(opts.description).setVersion('0.1.0').addBearerAuth().build(),
  );
  SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs/openapi.json' });
}
