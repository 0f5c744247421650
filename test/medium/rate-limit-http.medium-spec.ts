import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get, Injectable, Module, Req, Res, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { isGatewayError } from '@gw/inference';
import { DEFAULT_RATE_LIMIT_OPTIONS, DeferRateLimit, MemoryRateLimitStore, PrincipalThrottlerGuard, RateLimitModule, type RateLimitSubject } from '@gw/metering';
import { createHttpApp } from '@gw/observability';

/** Stands in for the auth guard: `x-test-principal: <kind>:<id>[:<key override>]`. */
@Injectable()
class FakeAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; principal?: RateLimitSubject }>();
    const given = req.headers['x-test-principal'];
    if (given) {
      const [kind, id, override] = given.split(':');
      req.principal = { kind: kind as RateLimitSubject['kind'], id, rateLimitPerMinute: override ? Number(override) : null };
    }
    return true;
  }
}

let deferredRuns = 0;

@Controller()
class TestController {
  @Get('ping')
  ping(): { ok: boolean } {
    return { ok: true };
  }

  @SkipThrottle()
  @Get('health')
  health(): { ok: boolean } {
    return { ok: true };
  }

  /** A generation-like route: the limiter's answer is awaited by the handler (as admission does), not by the guard. */
  @DeferRateLimit()
  @Get('deferred')
  async deferred(@Req() req: FastifyRequest): Promise<{ ran: number }> {
    const ran = ++deferredRuns;
    await req.rateLimitGate;
    return { ran };
  }

  @Get('stream')
  stream(@Res() reply: FastifyReply): void {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.end('data: [DONE]\n\n');
  }
}

/** The guard in a real Fastify app behind an auth guard, as the inference app wires it (embedded mode store). */
describe(`${PrincipalThrottlerGuard.name} over HTTP`, () => {
  const store = new MemoryRateLimitStore();
  let app: NestFastifyApplication;
  let base: string;

  before(async () => {
    @Module({
      imports: [RateLimitModule.forRoot(store, { ...DEFAULT_RATE_LIMIT_OPTIONS, windowMs: 1_000 })],
      controllers: [TestController],
      providers: [
        { provide: APP_GUARD, useClass: FakeAuthGuard },
        { provide: APP_GUARD, useExisting: PrincipalThrottlerGuard },
      ],
    })
    class TestAppModule {}
    app = await createHttpApp(TestAppModule, {
      title: 't',
      description: 't',
      logger: pino({ level: 'silent' }),
      bodyLimit: 1_000_000,
      trustProxy: '',
      renderError: (err) => {
        const status = isGatewayError(err) ? err.status : 500;
        const code = isGatewayError(err) ? err.wireCode : undefined;
        return { status, body: { error: { message: (err as Error).message, type: 'rate_limit_error', param: null, code } } };
      },
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  after(async () => {
    await app?.close();
    await store.close();
  });

  const get = (path: string, principal?: string) => fetch(`${base}${path}`, { headers: principal ? { 'x-test-principal': principal } : {} });

  it('sets the headers on every response, refuses with 429 + Retry-After in the envelope, recovers', async () => {
    const first = await get('/ping', 'api_key:k1:2');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-ratelimit-limit-requests'), '2');
    assert.equal(first.headers.get('x-ratelimit-remaining-requests'), '1');
    assert.ok(!Number.isNaN(Date.parse(first.headers.get('x-ratelimit-reset-requests')!)));
    const streamed = await get('/stream', 'api_key:k1:2');
    assert.equal(streamed.status, 200);
    assert.equal(streamed.headers.get('x-ratelimit-remaining-requests'), '0', 'hijacked replies carry the headers too');
    await streamed.text();

    const refused = await get('/ping', 'api_key:k1:2');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(refused.headers.get('x-ratelimit-remaining-requests'), '0');
    const body = (await refused.json()) as { error: { message: string; code: string } };
    assert.equal(body.error.code, 'rate_limit_exceeded');
    assert.match(body.error.message, /^Rate limit reached for requests: 2 per 1s\. Retry in 1s\.$/);

    await sleep(1_050);
    assert.equal((await get('/ping', 'api_key:k1:2')).status, 200);
  });

  it('@DeferRateLimit(): the handler runs while the limiter answers; its gate sets the headers and carries the 429', async () => {
    const before = deferredRuns;
    const first = await get('/deferred', 'api_key:k2:1');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-ratelimit-remaining-requests'), '0');
    const refused = await get('/deferred', 'api_key:k2:1');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
    assert.equal(deferredRuns - before, 2, 'the guard let the refused request reach its handler, which awaited the gate');
  });

  it('skips @SkipThrottle() routes and requests without a principal', async () => {
    for (let i = 0; i < 3; i++) {
      const health = await get('/health', 'free_tier:device-1');
      assert.equal(health.status, 200);
      assert.equal(health.headers.get('x-ratelimit-limit-requests'), null);
    }
    assert.equal((await get('/ping')).status, 200);
    assert.equal((await get('/ping', 'free_tier:device-1')).status, 200, 'free tier: 1 per window');
    assert.equal((await get('/ping', 'free_tier:device-1')).status, 429);
  });
});
