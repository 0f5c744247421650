import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ApiKeyService } from './api-key.service';
import { API_KEY_PREFIX } from './api-key.util';
import { ALLOW_API_KEY, IS_PUBLIC, Roles } from './auth.decorator';
import { IdentityError, isIdentityError } from './identity.errors';
import type { Principal } from './principal';
import { TokenService } from './token.service';

/** Paths the guard protects; the rest (health probes, /docs) is process infrastructure. */
export const PROTECTED_PATH_PREFIX = '/api/';

function bearer(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * Global guard of the control plane (house style #8): every `/api/*` route needs an authenticated
 * principal unless it is `@Public()`. Accepts `Authorization: Bearer <jwt>`; an `ak_` key only on
 * routes marked `@AllowApiKey()`. `@Roles(...)` then narrows the roles allowed.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const targets = [ctx.getHandler(), ctx.getClass()];
    // The matched route pattern (not the raw URL) decides, so no spelling of a path can dodge the guard.
    const route = req.routeOptions?.url ?? req.url;
    if (!route.startsWith(PROTECTED_PATH_PREFIX)) return true;
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets)) return true;
    const principal = await this.authenticate(req, this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_API_KEY, targets) ?? false).catch((err: unknown) => {
      // A refusal stays what it is; a store that cannot be read is a 503 (retryable), not a 500.
      throw isIdentityError(err) ? err : IdentityError.unavailable(err);
    });
    req.principal = principal;
    const roles = this.reflector.getAllAndOverride(Roles, targets);
    if (roles?.length && !(principal.role && roles.includes(principal.role))) throw IdentityError.forbidden();
    return true;
  }

  private async authenticate(req: FastifyRequest, allowApiKey: boolean): Promise<Principal> {
    const token = bearer(req);
    if (!token) throw IdentityError.unauthenticated('Missing bearer token', 'missing_credentials');
    if (!token.startsWith(API_KEY_PREFIX)) return this.tokens.verify(token);
    if (!allowApiKey) throw IdentityError.unauthenticated('This endpoint needs a login token, not an API key', 'jwt_required');
    const principal = await this.apiKeys.authenticate(token);
    if (!principal) throw IdentityError.unauthenticated('Invalid API key', 'invalid_api_key');
    if (!principal.role) throw IdentityError.forbidden('This API key belongs to no user');
    return principal;
  }
}
