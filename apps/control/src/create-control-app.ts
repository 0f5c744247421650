import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HttpException } from '@nestjs/common';
import { isIdentityError } from '@gw/identity';
import { createHttpApp, edgeOptions, formatJsonPath, JsonLimitError } from '@gw/observability';
import type { ControlRuntime } from '@gw/runtime';
import { ControlAppModule } from './control-app.module';
import { mountQueueBoard } from './queues-board/queue-board';

/** Control bodies are small (keys, users, credits); the inference plane has its own, larger limit. */
const CONTROL_BODY_LIMIT = 1024 * 1024;

/** Control-plane errors use OpenAI's shape, `{ error: { message, type, param, code } }`. */
export function renderControlError(err: unknown): { status: number; body: unknown; headers?: Record<string, string> } {
  if (err instanceof JsonLimitError) {
    const param = formatJsonPath(err.path, 'openai') || null;
    return { status: 400, body: { error: { message: `Invalid value for '${param ?? '(body)'}': ${err.problem}.`, type: 'invalid_request_error', param, code: 'invalid_value' } } };
  }
  const e = err as { statusCode?: number; message?: string; code?: unknown; param?: unknown };
  const status = err instanceof HttpException ? err.getStatus() : (e.statusCode ?? 500);
  // A 503 of the identity store is said as such (retryable); other 5xx say nothing about their cause.
  const unavailable = status === 503 && isIdentityError(err);
  const message = unavailable ? err.message : status >= 500 ? 'Internal server error' : (e.message ?? 'Bad request');
  const param = status < 500 && typeof e.param === 'string' ? e.param : null;
  const code = status < 500 || unavailable ? (typeof e.code === 'string' ? e.code : null) : null;
  const retryAfter = isIdentityError(err) ? err.retryAfterSeconds : undefined;
  const headers = retryAfter ? { 'retry-after': String(Math.max(1, Math.ceil(retryAfter))) } : undefined;
  return { status, headers, body: { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param, code } } };
}

export async function createControlApp(rt: ControlRuntime): Promise<NestFastifyApplication> {
  const app = await createHttpApp(ControlAppModule.register(rt), {
    title: 'Policy gateway: control API',
    description: 'Administration, audit and health of the gateway.',
    logger: rt.logger.child({ app: 'control' }),
    bodyLimit: CONTROL_BODY_LIMIT,
    edge: edgeOptions(rt.config.env),
    trustProxy: rt.config.env.TRUST_PROXY,
    renderError: renderControlError,
  });
  if (rt.config.env.QUEUE_BOARD_ENABLED) await mountQueueBoard(app, rt.config.env.QUEUE_BOARD_ORG_ID);
  return app;
}
