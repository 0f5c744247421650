import { Injectable, type ExecutionContext } from '@nestjs/common';
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
import { rateLimitSubjectOf, type RateLimitSubject } from './rate-limit.options';
import type { RateLimitResult } from './rate-limit-store';
import { isRateLimitThrottlerRecord } from './rate-limit-throttler.storage';
import { DEFER_RATE_LIMIT, META, type RoutePlan } from './rate-limit-route';

export { DeferRateLimit } from './rate-limit-route';

export const RATE_LIMIT_HEADERS = {
  limit: 'x-ratelimit-limit-requests',
  remaining: 'x-ratelimit-remaining-requests',
  reset: 'x-ratelimit-reset-requests',
  retryAfter: 'retry-after',
} as const;

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
  /** Per route handler: its plan, or null where the stock guard must run (options this fast path does not handle). */
  private readonly plans = new WeakMap<object, RoutePlan | null>();

  constructor(@InjectThrottlerOptions() options: ThrottlerModuleOptions, @InjectThrottlerStorage() storage: ThrottlerStorage, reflector: Reflector) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http' || !rateLimitSubjectOf(context.switchToHttp().getRequest());
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return trackerOf(rateLimitSubjectOf(req));
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, _name: string): string {
    return `requests:${tracker}`;
  }

  /**
   * The stock guard reads five metadata keys per throttler and awaits three resolved values, the tracker and the
   * storage on every request (~8 promises and ~2.5 KB of allocation per call; issue 12). A route's metadata is static,
   * so it is read once per handler; per request only the limit (a function of the principal) is resolved. Where the
   * options use what this path does not handle (several throttlers, `skipIf`, ignored user agents, per-route limits,
   * trackers or keys), the stock guard runs, with {@link handleRequest} below: the same check either way.
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const plan = this.planOf(context);
    if (plan === null) return super.canActivate(context);
    if (plan.skip || context.getType() !== 'http') return true; // as shouldSkip() and @SkipThrottle()
    const { req, res } = this.getRequestResponse(context);
    const subject = rateLimitSubjectOf(req);
    if (!subject) return true;
    const resolved = typeof plan.limit === 'function' ? plan.limit(context) : plan.limit;
    const raw: unknown = resolved instanceof Promise ? await resolved : resolved;
    // As the stock guard's `toNumber`: a numeric string counts, anything else is a configuration error.
    const limit = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof limit !== 'number' || Number.isNaN(limit)) throw new Error(`Invalid "limit" for the "${plan.name}" throttler: expected a number, got ${JSON.stringify(raw)}.`);
    const key = this.generateKey(context, trackerOf(subject), plan.name);
    return this.check(key, limit, plan.ttl, plan.blockDuration, plan.name, plan.deferred, req, res);
  }

  private planOf(context: ExecutionContext): RoutePlan | null {
    const handler = context.getHandler();
    let plan = this.plans.get(handler);
    if (plan === undefined) {
      plan = this.buildPlan(handler, context.getClass());
      this.plans.set(handler, plan);
    }
    return plan;
  }

  private buildPlan(handler: object, classRef: object): RoutePlan | null {
    const [t, ...more] = this.throttlers;
    const common = this.commonOptions;
    if (!t || more.length > 0 || common.skipIf || common.ignoreUserAgents || t.skipIf || t.ignoreUserAgents || t.getTracker || t.generateKey) return null;
    if (typeof t.ttl !== 'number' || (t.blockDuration !== undefined && typeof t.blockDuration !== 'number')) return null;
    const name = t.name ?? 'default';
    const meta = (key: string): unknown => this.reflector.getAllAndOverride(key + name, [handler as never, classRef as never]);
    if ([META.limit, META.ttl, META.block, META.tracker, META.key].some((k) => meta(k) !== undefined)) return null;
    const deferred = this.reflector.get<boolean | undefined>(DEFER_RATE_LIMIT, handler as never) === true;
    return { skip: Boolean(meta(META.skip)), deferred, name, limit: t.limit, ttl: t.ttl, blockDuration: t.blockDuration ?? t.ttl };
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const { req, res } = this.getRequestResponse(context);
    const name = throttler.name ?? 'default';
    const key = generateKey(context, await getTracker(req, context), name);
    const deferred = this.reflector.get<boolean | undefined>(DEFER_RATE_LIMIT, context.getHandler()) === true;
    return this.check(key, limit, ttl, blockDuration, name, deferred, req, res);
  }

  /** Counts the hit; on a deferred route leaves the answer on the request as its gate, else awaits it. */
  private async check(key: string, limit: number, ttl: number, blockDuration: number, name: string, deferred: boolean, req: Record<string, unknown>, res: Record<string, unknown>): Promise<boolean> {
    this.headroom.begin(key, 1);
    const check = this.storageService.increment(key, ttl, limit, blockDuration, name).then(
      (record) => this.decide(record, key, limit, ttl, res),
      (err: unknown) => {
        this.headroom.settle(key, 1, 0);
        throw err;
      },
    );
    if (deferred) {
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

/** `<kind>:<id>` of the principal a request counts against (what {@link PrincipalThrottlerGuard.getTracker} answers). */
function trackerOf(subject: RateLimitSubject | undefined): string {
  return subject ? `${subject.kind}:${subject.id}` : 'anonymous';
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
