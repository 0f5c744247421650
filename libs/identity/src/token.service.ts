import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { IdentityError } from './identity.errors';
import type { UserPrincipal } from './principal';
import { isRole, type Role } from './role';

export const IDENTITY_OPTIONS = Symbol('IDENTITY_OPTIONS');

export interface IdentityOptions {
  /** HS256 secret (at least 32 characters). */
  jwtSecret: string;
  /** Lifetime of login tokens. */
  ttlSeconds: number;
  /** Failed logins allowed per minute per client IP + email. */
  loginAttemptsPerMinute: number;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

interface Claims {
  sub?: unknown;
  org?: unknown;
  role?: unknown;
  jti?: unknown;
  exp?: unknown;
}

/** Login tokens: HS256 JWTs carrying `sub` (user id), `org`, `role`, `jti` and `exp`. */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(IDENTITY_OPTIONS) private readonly options: Pick<IdentityOptions, 'jwtSecret' | 'ttlSeconds'>,
  ) {}

  async sign(user: { id: string; orgId: string; role: Role }): Promise<TokenResponse> {
    const token = await this.jwt.signAsync(
      { sub: user.id, org: user.orgId, role: user.role, jti: randomUUID() },
      { secret: this.options.jwtSecret, algorithm: 'HS256', expiresIn: this.options.ttlSeconds },
    );
    return { access_token: token, token_type: 'Bearer', expires_in: this.options.ttlSeconds };
  }

  /** The principal of a valid token; an `unauthenticated` {@link IdentityError} (401) otherwise. */
  async verify(token: string): Promise<UserPrincipal> {
    let claims: Claims;
    try {
      claims = await this.jwt.verifyAsync<Claims>(token, { secret: this.options.jwtSecret, algorithms: ['HS256'] });
    } catch {
      throw IdentityError.unauthenticated('Invalid or expired token');
    }
    const { sub, org, role, jti, exp } = claims;
    if (typeof sub !== 'string' || typeof org !== 'string' || !isRole(role) || typeof jti !== 'string' || typeof exp !== 'number') {
      throw IdentityError.unauthenticated('Invalid or expired token');
    }
    return { kind: 'user', userId: sub, orgId: org, role, jti };
  }
}
