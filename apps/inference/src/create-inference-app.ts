import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { CallAbort, InferenceService, type Surface } from '@gw/inference';
import { createHttpApp, edgeOptions, type EdgeRequest } from '@gw/observability';
import type { Runtime } from '@gw/runtime';
import { InferenceAppModule } from './inference-app.module';
import { envelopeFor, renderEitherEnvelope, renderError, toGatewayError } from './protocols/shared/error-envelope';
import { InflightRegistry, type InflightRequest } from './protocols/shared/inflight.registry';
import { ProtocolHandler } from './protocols/shared/protocol-handler';

const SURFACES: Record<string, Surface> = {
  'chat/completions': 'chat.completions',
  responses: 'responses',
  messages: 'messages',
  'messages/count_tokens': 'messages.count_tokens',
};
/** Every generation path: `/v1/<x>`, and the policy surface's `/policy/<x>` and `/policy/v1/<x>`. */
const GENERATION_PATHS: Record<string, Surface> = Object.fromEntries(
  Object.entries(SURFACES).flatMap(([p, s]) => [`/v1/${p}`, `/policy/${p}`, `/policy/v1/${p}`].map((path) => [path, s])),
);

export async function createInferenceApp(rt: Runtime): Promise<NestFastifyApplication> {
  const ref: { inference?: InferenceService } = {};
  const app = await createHttpApp(InferenceAppModule.register(rt), {
    title: 'Policy gateway: inference API',
    description: 'OpenAI Chat Completions, OpenAI Responses and Anthropic Messages compatible endpoints.',
    logger: rt.logger.child({ app: 'inference' }),
    bodyLimit: rt.config.env.BODY_LIMIT_BYTES,
    edge: edgeOptions(rt.config.env),
    trustProxy: rt.config.env.TRUST_PROXY,
    renderError: (err: unknown, req: FastifyRequest | EdgeRequest) => {
      const envelope = envelopeFor(req.url);
      const gwErr = toGatewayError(err, envelope);
      // Requests refused before the handler ran (bad JSON, limits, too large, too slow) are audited here.
      // Not those Node refused before a request existed (bad header byte, 431, slow headers): no request, no row.
      const surface = req.method === 'POST' ? GENERATION_PATHS[req.url.split('?', 1)[0]] : undefined;
      if (surface && !('edge' in req) && !ProtocolHandler.reached(req)) {
        const ctx = { requestId: req.id, surface, startedAt: req.startedAt, startedAtMs: req.startedAtMs, signal: new CallAbort() };
        ref.inference?.reportRejected(ctx, '', false, gwErr);
      }
      return 'edge' in req && req.unknownPath ? renderEitherEnvelope(gwErr, req.id) : renderError(gwErr, envelope, req.id);
    },
  });
  ref.inference = app.get(InferenceService);
  return app;
}

/**
 * Lets in-flight requests and streams finish (new generations get 503) for up to `graceMs`, then aborts
 * the stragglers, whose streams end with an error frame. Call before `app.close()`.
 */
export async function drainInference(app: NestFastifyApplication, graceMs: number): Promise<InflightRequest[]> {
  return app.get(InflightRegistry).drain(graceMs);
}

/** The requests in flight now, oldest first: what a slow drain is waiting for. */
export function inflightNow(app: NestFastifyApplication): InflightRequest[] {
  return app.get(InflightRegistry).pending();
}

/**
 * Closes a drained inference app. Every request has finished or been cut by {@link drainInference}, so a connection
 * still open belongs to nobody being served (a client that abandoned a stream but kept its socket open held shutdown
 * until the supervisor's SIGKILL): all are closed, not only the idle ones.
 */
export async function closeInference(app: NestFastifyApplication): Promise<void> {
  const server: Server = app.getHttpServer();
  const closing = app.close();
  server.closeAllConnections();
  await closing;
}
