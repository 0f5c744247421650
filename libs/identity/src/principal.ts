import { IdentityError } from './identity.errors';
import type { Role } from './role';

/** A user authenticated by a login token (JWT). */
export interface UserPrincipal {
  kind: 'user';
  userId: string;
  orgId: string;
  role: Role;
  /** The token id (`jti`), for revocation lists later. */
  jti: string;
}

/** A caller authenticated by an `ak_` API key. */
export interface ApiKeyPrincipal {
  kind: 'api_key';
  keyId: string;
  orgId: string;
  /** The user the key belongs to (null for organisation keys). */
  userId: string | null;
  /** That user's role, when the key belongs to a user. */
  role?: Role;
  /** The project a project key belongs to (null for organisation and user keys). */
  projectId: string | null;
  /** Per-key override of the request rate limit (null = default). */
  rateLimitPerMinute: number | null;
  /** Per-organisation override of the request rate limit (null = default). */
  orgRateLimitPerMinute: number | null;
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

/** Who performs a management action: scoping of key listing and revocation derives from it. */
export interface Actor {
  orgId: string;
  userId: string | null;
  role: Role;
}

/** The actor behind a principal; null for an API key that belongs to no user (it has no role). */
export function actorOf(principal: Principal): Actor | null {
  if (principal.kind === 'user') return { orgId: principal.orgId, userId: principal.userId, role: principal.role };
  return principal.role ? { orgId: principal.orgId, userId: principal.userId, role: principal.role } : null;
}

/** The actor of an authenticated management request; 401 when the principal cannot act (no user). */
export function requireActor(principal: Principal | undefined): Actor {
  const a = principal && actorOf(principal);
  if (!a) throw IdentityError.unauthenticated();
  return a;
}
