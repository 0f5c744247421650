import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';
import type { Role } from './role';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by {@link JwtAuthGuard} on authenticated requests. */
    principal?: Principal;
  }
}

export const IS_PUBLIC = 'gw:identity:public';
export const ALLOW_API_KEY = 'gw:identity:allow-api-key';

/** Opts a route (or controller) out of authentication. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Also accepts an `ak_` key of a user (acting with that user's role) on this route; JWT only otherwise. */
export const AllowApiKey = () => SetMetadata(ALLOW_API_KEY, true);

/** Restricts a route (or controller) to these roles; without it any authenticated role may call. */
export const Roles = Reflector.createDecorator<Role[]>();

/** The authenticated principal of the request (handler parameter). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<FastifyRequest>().principal;
});
