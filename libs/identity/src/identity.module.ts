import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyCache, type ApiKeyCacheOptions } from './api-key.cache';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { AppUserEntity } from './app-user.entity';
import { AppUserRepository } from './app-user.repository';
import { JwtAuthGuard } from './jwt-auth.guard';
import { LoginService } from './login.service';
import { OrganizationEntity } from './organization.entity';
import { OrganizationRepository } from './organization.repository';
import { PasswordHasher } from './password-hasher.service';
import { IDENTITY_OPTIONS, TokenService, type IdentityOptions } from './token.service';
import { IdentityChangeFeed } from './identity-change.feed';
import { UserStateCache } from './user-state.cache';
import { UserStateService } from './user-state.service';
import { UserService } from './user.service';

/** One LISTEN connection feeding both caches (keys; user role, status and token version). */
function cacheProviders(opts: ApiKeyCacheOptions | undefined) {
  if (!opts || opts.ttlMs <= 0) return [];
  const feed = new IdentityChangeFeed(opts.databaseUrl);
  return [
    { provide: IdentityChangeFeed, useValue: feed },
    { provide: ApiKeyCache, useValue: new ApiKeyCache(opts, feed) },
    { provide: UserStateCache, useValue: new UserStateCache(opts, feed) },
  ];
}

@Module({})
export class IdentityModule {
  /**
   * Repositories and services of organisations, users, login tokens and API keys. Needs a data
   * source in the app (`DatabaseModule`). The secret is passed in (not read from config) so the
   * embedded mode can supply a generated, persisted one. `guard: true` also registers
   * {@link JwtAuthGuard} as a global guard. `keyCache` (with `ttlMs > 0`) keeps keys and user
   * states in memory, trusted only while the process's LISTEN connection is up.
   */
  static forRoot(options: IdentityOptions & { guard?: boolean; keyCache?: ApiKeyCacheOptions }): DynamicModule {
    const { guard, keyCache, ...identityOptions } = options;
    return {
      module: IdentityModule,
      imports: [
        TypeOrmModule.forFeature([OrganizationEntity, AppUserEntity, ApiKeyEntity]),
        JwtModule.register({ secret: identityOptions.jwtSecret, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } }),
      ],
      providers: [
        { provide: IDENTITY_OPTIONS, useValue: identityOptions },
        OrganizationRepository,
        AppUserRepository,
        ApiKeyRepository,
        PasswordHasher,
        UserStateService,
        TokenService,
        ApiKeyService,
        LoginService,
        UserService,
        JwtAuthGuard,
        ...(guard ? [{ provide: APP_GUARD, useExisting: JwtAuthGuard }] : []),
        ...cacheProviders(keyCache),
      ],
      exports: [OrganizationRepository, AppUserRepository, ApiKeyRepository, PasswordHasher, UserStateService, TokenService, ApiKeyService, LoginService, UserService, JwtAuthGuard],
    };
  }
}
