import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { IdentityError } from './identity.errors';
import type { UserPrincipal } from './principal';
import type { Role } from './role';
import { UserStateService } from './user-state.service';

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
  ver?: unknown;
  jti?: unknown;
  exp?: unknown;
}

const invalid = () => IdentityError.unauthenticated('Invalid or expired token');

interface VerifiedClaims {
  sub: string;
  org: string;
  ver: number;
  jti: string;
  /** `exp` in ms. */
  expMs: number;
}

/** Signature checks remembered (per token string, until its `exp`); the oldest goes first when full. */
const VERIFIED_CACHE_MAX = 10_000;

/**
 * Login tokens: HS256 JWTs carrying `sub` (user id), `org`, `role`, `ver` (the user's token
 * version), `jti` and `exp`. A signature is not enough: each use is checked against the user's
 * current state ({@link UserStateService}, cached), so a deleted or disabled user, or a token
 * issued before a password change, disable or role change, is refused at its next request. The
 * `role` claim is informational; authorisation uses the role the database holds now.
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(IDENTITY_OPTIONS) private readonly options: Pick<IdentityOptions, 'jwtSecret' | 'ttlSeconds'>,
    private readonly users: UserStateService,
  ) {}

  /**
   * HS256 verification through jsonwebtoken costs ~0.3 ms of CPU per call here (bench S4), the largest
   * identity cost on the request path. The outcome for a given token string cannot change before its
   * `exp` (the secret is fixed for the process), so it is remembered; revocation does not depend on it,
   * since the user's current state is checked on every call below.
   */
  private readonly verified = new Map<string, VerifiedClaims>();

  async sign(user: { id: string; orgId: string; role: Role; tokenVersion: number }): Promise<TokenResponse> {
    const token = await this.jwt.signAsync(
      { sub: user.id, org: user.orgId, role: user.role, ver: user.tokenVersion, jti: randomUUID() },
      { secret: this.options.jwtSecret, algorithm: 'HS256', expiresIn: this.options.ttlSeconds },
    );
    return { access_token: token, token_type: 'Bearer', expires_in: this.options.ttlSeconds };
  }

  /** The principal of a valid, current token; an `unauthenticated` {@link IdentityError} (401) otherwise. */
  async verify(token: string): Promise<UserPrincipal> {
    const { sub, org, ver, jti } = await this.claims(token);
    // Database errors propagate (a 5xx, not a misleading 401).
    const state = await this.users.current(sub);
    if (!state || state.disabled || state.orgId !== org || state.tokenVersion !== ver) throw invalid();
    return { kind: 'user', userId: sub, orgId: org, role: state.role, jti };
  }

  /** The token's claims once its signature and expiry were checked (remembered until `exp`). */
  private async claims(token: string): Promise<VerifiedClaims> {
    const known = this.verified.get(token);
    if (known) {
      if (known.expMs > Date.now()) return known;
      this.verified.delete(token);
      throw invalid();
    }
    let claims: Claims;
    try {
      claims = await this.jwt.verifyAsync<Claims>(token, { secret: this.options.jwtSecret, algorithms: ['HS256'] });
    } catch {
      throw invalid();
    }
    const { sub, org, ver, jti, exp } = claims;
    if (typeof sub !== 'string' || typeof org !== 'string' || !Number.isSafeInteger(ver) || typeof jti !== 'string' || typeof exp !== 'number') throw invalid();
    const verified: VerifiedClaims = { sub, org, ver: ver as number, jti, expMs: exp * 1000 };
    if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, verified);
    return verified;
  }
}
