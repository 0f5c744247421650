import { Injectable, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GatewayError, GatewayErrorCode, Headroom } from '@gw/inference';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { rateLimitSubjectOf } from './rate-limit.options';
import type { RateLimitResult } from './rate-limit-store';
import { isRateLimitThrottlerRecord } from './rate-limit-throttler.storage';

export const RATE_LIMIT_HEADERS = {
  limit: 'x-ratelimit-limit-requests',
  remaining: 'x-ratelimit-remaining-requests',
  reset: 'x-ratelimit-reset-requests',
  retryAfter: 'retry-after',
} as const;

const DEFER_RATE_LIMIT = 'gw:defer-rate-limit';

/**
 * On a generation endpoint: the guard starts the rate-limit check and lets the request go on; the check's answer is
 * awaited by admission together with the credit and quota round trips (`request.rateLimitGate`), so the limiter adds
 * no sequential round trip (issue 12). Whoever handles the request must await the gate before answering.
 */
export const DeferRateLimit = (): MethodDecorator => SetMetadata(DEFER_RATE_LIMIT, true);

declare module 'fastify' {
  interface FastifyRequest {
    /** The deferred rate-limit check of a {@link DeferRateLimit} route: resolves when allowed, rejects with the 429. */
    rateLimitGate?: Promise<void>;
    /** The principal's last answer (on this replica, within 2 s) left room: the gate will almost certainly open. */
    rateLimitLikely?: boolean;
  }
}

/**
 * The second global guard (after auth): one sliding-window budget per principal across all routes.
 *
 * Built on `ThrottlerGuard` so `ThrottlerModule` options, `@SkipThrottle()` and `@Throttle()` work
 * as usual; it changes what the stock guard gets wrong for a gateway:
 * - tracker `<kind>:<id>` from `request.principal`; requests without one are not limited here
 *   (the auth guard has already refused them, or the route is public);
 * - key `requests:<tracker>`, not a per-route hash, so every route spends the same budget;
 * - the abliteration headers (`x-ratelimit-*-requests`, reset as ISO-8601) instead of
 *   `X-RateLimit-*`, also written to the raw response so hijacked SSE replies carry them;
 * - a `GatewayError(RateLimited)` instead of `ThrottlerException`, so the app's filter renders
 *   429 in the caller's protocol envelope, with `Retry-After` in whole seconds.
 */
@Injectable()
export class PrincipalThrottlerGuard extends ThrottlerGuard {
  /** Each tracker's remaining requests as the limiter last answered (the deferred gate's forecast). */
  private readonly headroom = new Headroom();

  constructor(@InjectThrottlerOptions() options: ThrottlerModuleOptions, @InjectThrottlerStorage() storage: ThrottlerStorage, reflector: Reflector) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http' || !rateLimitSubjectOf(context.switchToHttp().getRequest());
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const subject = rateLimitSubjectOf(req);
    return subject ? `${subject.kind}:${subject.id}` : 'anonymous';
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, _name: string): string {
    return `requests:${tracker}`;
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const { req, res } = this.getRequestResponse(context);
    const name = throttler.name ?? 'default';
    const key = generateKey(context, await getTracker(req, context), name);
    this.headroom.begin(key, 1);
    const check = this.storageService.increment(key, ttl, limit, blockDuration, name).then(
      (record) => this.decide(record, key, limit, ttl, res),
      (err: unknown) => {
        this.headroom.settle(key, 1, 0);
        throw err;
      },
    );
    if (this.reflector.get<boolean | undefined>(DEFER_RATE_LIMIT, context.getHandler())) {
      check.catch(() => undefined); // handled by whoever awaits the gate; never an unhandled rejection
      const r = req as { rateLimitGate?: Promise<void>; rateLimitLikely?: boolean };
      r.rateLimitGate = check;
      r.rateLimitLikely = this.headroom.take(key, 1);
      return true;
    }
    await check;
    return true;
  }

  /** Sets the rate-limit headers; throws the 429 when the request is over its limit. */
  private decide(record: Awaited<ReturnType<ThrottlerStorage['increment']>>, key: string, limit: number, ttl: number, res: Record<string, unknown>): void {
    const result = isRateLimitThrottlerRecord(record) ? record.result : resultFromRecord(record, limit, Date.now());
    this.headroom.settle(key, 1, result.allowed ? result.remaining : 0);
    this.setResponseHeader(res, RATE_LIMIT_HEADERS.limit, result.limit);
    this.setResponseHeader(res, RATE_LIMIT_HEADERS.remaining, result.remaining);
    this.setResponseHeader(res, RATE_LIMIT_HEADERS.reset, new Date(result.resetAtMs).toISOString());
    if (result.allowed) return;

    const retryAfterS = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    this.setResponseHeader(res, RATE_LIMIT_HEADERS.retryAfter, retryAfterS);
    throw new GatewayError(
      GatewayErrorCode.RateLimited,
      `Rate limit reached for requests: ${result.limit} per ${Math.round(ttl / 1000)}s. Retry in ${retryAfterS}s.`,
      { wireCode: 'rate_limit_exceeded' },
    );
  }

  /** Fastify reply and, for replies later hijacked to stream, the raw Node response too. */
  protected override setResponseHeader(res: Record<string, unknown>, name: string, value: string | number): void {
    super.setResponseHeader(res, name, value);
    const raw = res.raw as { setHeader?: (n: string, v: string) => void; headersSent?: boolean } | undefined;
    if (raw && typeof raw.setHeader === 'function' && !raw.headersSent) raw.setHeader(name, String(value));
  }
}

/** For storages other than ours (e.g. the throttler's own in-memory one). */
function resultFromRecord(record: Awaited<ReturnType<ThrottlerStorage['increment']>>, limit: number, now: number): RateLimitResult {
  return {
    allowed: !record.isBlocked,
    limit,
    remaining: Math.max(0, limit - record.totalHits),
    resetAtMs: now + record.timeToExpire * 1000,
    retryAfterMs: record.isBlocked ? record.timeToBlockExpire * 1000 : 0,
  };
}
