import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HttpException } from '@nestjs/common';
import { createHttpApp } from '@gw/observability';
import type { Runtime } from '@gw/runtime';
import { ControlAppModule } from './control-app.module';

/** Control-plane errors use a plain `{ error: { message, type, code } }` body. */
function renderControlError(err: unknown): { status: number; body: unknown } {
  const e = err as { statusCode?: number; message?: string; code?: string };
  const status = err instanceof HttpException ? err.getStatus() : (e.statusCode ?? 500);
  const message = status >= 500 ? 'Internal server error' : (e.message ?? 'Bad request');
  return { status, body: { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code: e.code ?? null } } };
}

export async function createControlApp(rt: Runtime): Promise<NestFastifyApplication> {
  return createHttpApp(ControlAppModule.register(rt), {
    title: 'Policy gateway: control API',
    description: 'Administration, audit and health of the gateway.',
    logger: rt.logger.child({ app: 'control' }),
    bodyLimit: 1024 * 1024,
    trustProxy: rt.config.env.TRUST_PROXY,
    renderError: renderControlError,
  });
}
