import { Inject, Injectable } from '@nestjs/common';
import { AppUserRepository, normalizeEmail } from './app-user.repository';
import { IdentityError } from './identity.errors';
import { isPlainText } from './identity-text';
import { LoginAttemptLimiter } from './login-attempt.limiter';
import { PasswordHasher } from './password-hasher.service';
import { IDENTITY_OPTIONS, TokenService, type IdentityOptions, type TokenResponse } from './token.service';

/**
 * `POST /api/auth/login`: email + password → login token. Every failure (unknown email, wrong
 * password, disabled user) is the same 401 and costs the same argon2 verification.
 */
@Injectable()
export class LoginService {
  private readonly limiter: LoginAttemptLimiter;

  constructor(
    private readonly users: AppUserRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    @Inject(IDENTITY_OPTIONS) options: Pick<IdentityOptions, 'loginAttemptsPerMinute'>,
  ) {
    this.limiter = new LoginAttemptLimiter(options.loginAttemptsPerMinute);
    hasher.warmUp();
  }

  async login(email: string, password: string, clientIp: string): Promise<TokenResponse> {
    const normalized = normalizeEmail(email);
    const limitKey = `${clientIp}\n${normalized}`;
    const retryAfter = this.limiter.retryAfterSeconds(limitKey);
    if (retryAfter > 0) {
      throw new IdentityError('rate_limited', 'too_many_login_attempts', 'Too many failed login attempts; try again later', {
        retryAfterSeconds: retryAfter,
      });
    }
    // Text Postgres cannot hold (a NUL) never reaches it: such an email cannot exist anyway.
    const user = normalized && isPlainText(normalized) ? await this.users.findByEmail(normalized) : null;
    const ok = await this.hasher.verify(user?.passwordHash ?? null, password);
    if (!user || !ok || user.disabled) {
      this.limiter.recordFailure(limitKey);
      throw IdentityError.invalidCredentials();
    }
    this.limiter.reset(limitKey);
    return this.tokens.sign(user);
  }
}
