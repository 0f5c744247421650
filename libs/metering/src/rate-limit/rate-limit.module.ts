import { Module, type DynamicModule } from '@nestjs/common';
import { ThrottlerModule, type ThrottlerModuleOptions } from '@nestjs/throttler';
import { PrincipalThrottlerGuard } from './principal-throttler.guard';
import { rateLimitSubjectOf, resolveRateLimit, type RateLimitOptions } from './rate-limit.options';
import type { RateLimitStore } from './rate-limit-store';
import { RateLimitThrottlerStorage } from './rate-limit-throttler.storage';

/** Injection token of the {@link RateLimitOptions} in effect. */
export const RATE_LIMIT_OPTIONS = Symbol('RATE_LIMIT_OPTIONS');

/**
 * `ThrottlerModule` options for one sliding-window throttler named `default` (so a bare
 * `@SkipThrottle()` skips it) whose limit is resolved per request from `request.principal`.
 */
export function buildThrottlerOptions(store: RateLimitStore, options: RateLimitOptions): ThrottlerModuleOptions {
  return {
    storage: new RateLimitThrottlerStorage(store),
    throttlers: [
      {
        name: 'default',
        ttl: options.windowMs,
        limit: (context) => {
          const subject = rateLimitSubjectOf(context.switchToHttp().getRequest());
          return subject ? resolveRateLimit(subject, options) : Number.MAX_SAFE_INTEGER;
        },
      },
    ],
  };
}

@Module({})
export class RateLimitModule {
  /**
   * Provides and exports {@link PrincipalThrottlerGuard}. Register it as the second `APP_GUARD`,
   * after the auth guard: `{ provide: APP_GUARD, useExisting: PrincipalThrottlerGuard }`.
   * The caller owns `store` (create it with `createRateLimitStore`, close it at shutdown).
   */
  static forRoot(store: RateLimitStore, options: RateLimitOptions): DynamicModule {
    const throttler = ThrottlerModule.forRoot(buildThrottlerOptions(store, options));
    return {
      module: RateLimitModule,
      imports: [throttler],
      providers: [PrincipalThrottlerGuard, { provide: RATE_LIMIT_OPTIONS, useValue: options }],
      exports: [PrincipalThrottlerGuard, RATE_LIMIT_OPTIONS, throttler],
    };
  }
}
