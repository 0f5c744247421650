/** Per-route rate-limit metadata: the deferred-check decorator, the throttler's metadata keys, a route's plan, the request fields. */
import { SetMetadata } from '@nestjs/common';
import type { ThrottlerOptions } from '@nestjs/throttler';

export const DEFER_RATE_LIMIT = 'gw:defer-rate-limit';
/** `@nestjs/throttler`'s route metadata keys (+ the throttler's name); its package index does not export them. */
export const META = { skip: 'THROTTLER:SKIP', limit: 'THROTTLER:LIMIT', ttl: 'THROTTLER:TTL', block: 'THROTTLER:BLOCK_DURATION', tracker: 'THROTTLER:TRACKER', key: 'THROTTLER:KEY_GENERATOR' } as const;

/** What a route's static metadata says, read once per handler (see {@link PrincipalThrottlerGuard.canActivate}). */
export interface RoutePlan {
  skip: boolean;
  deferred: boolean;
  name: string;
  limit: ThrottlerOptions['limit'];
  ttl: number;
  blockDuration: number;
}

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
