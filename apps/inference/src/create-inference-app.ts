import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { createHttpApp } from '@gw/observability';
import type { Runtime } from '@gw/runtime';
import { InferenceAppModule } from './inference-app.module';
import { envelopeFor, renderError, toGatewayError } from './protocols/shared/error-envelope';
import { InflightRegistry } from './protocols/shared/inflight.registry';

export async function createInferenceApp(rt: Runtime): Promise<NestFastifyApplication> {
  return createHttpApp(InferenceAppModule.register(rt), {
    title: 'Policy gateway: inference API',
    description: 'OpenAI Chat Completions, OpenAI Responses and Anthropic Messages compatible endpoints.',
    logger: rt.logger.child({ app: 'inference' }),
    bodyLimit: rt.config.env.BODY_LIMIT_BYTES,
    trustProxy: rt.config.env.TRUST_PROXY,
    renderError: (err: unknown, req: FastifyRequest) => renderError(toGatewayError(err), envelopeFor(req.url), req.id),
  });
}

/**
 * Lets in-flight requests and streams finish (new generations get 503) for up to `graceMs`, then aborts
 * the stragglers, whose streams end with an error frame. Call before `app.close()`.
 */
export async function drainInference(app: NestFastifyApplication, graceMs: number): Promise<number> {
  return app.get(InflightRegistry).drain(graceMs);
}
