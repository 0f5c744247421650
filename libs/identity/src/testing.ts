import { JwtService } from '@nestjs/jwt';
import type { DataSource } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';
import { AppUserEntity } from './app-user.entity';
import { AppUserRepository } from './app-user.repository';
import { LoginService } from './login.service';
import { OrganizationEntity } from './organization.entity';
import { OrganizationRepository } from './organization.repository';
import { PasswordHasher } from './password-hasher.service';
import type { Role } from './role';
import { TokenService, type IdentityOptions } from './token.service';
import type { ApiKeyCache } from './api-key.cache';
import type { UserStateCache } from './user-state.cache';
import { UserStateService } from './user-state.service';
import { UserService } from './user.service';

/** Test support (not exported from the main barrel). Import from `libs/identity/src/testing`. */

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface IdentityServices {
  orgs: OrganizationRepository;
  users: AppUserRepository;
  keyRepository: ApiKeyRepository;
  hasher: PasswordHasher;
  tokens: TokenService;
  apiKeys: ApiKeyService;
  login: LoginService;
  userStates: UserStateService;
  userAdmin: UserService;
}

/** The identity services over a plain data source (no Nest container). */
export function createIdentityServices(
  dataSource: DataSource,
  opts: Partial<IdentityOptions> = {},
  caches?: { keys?: ApiKeyCache; users?: UserStateCache },
): IdentityServices {
  const options: IdentityOptions = { jwtSecret: TEST_JWT_SECRET, ttlSeconds: 3600, loginAttemptsPerMinute: 10, ...opts };
  const orgs = new OrganizationRepository(dataSource.getRepository(OrganizationEntity));
  const users = new AppUserRepository(dataSource.getRepository(AppUserEntity));
  const keyRepository = new ApiKeyRepository(dataSource.getRepository(ApiKeyEntity));
  const hasher = new PasswordHasher();
  const userStates = new UserStateService(users, caches?.users);
  const tokens = new TokenService(new JwtService({ secret: options.jwtSecret }), options, userStates);
  const apiKeys = new ApiKeyService(keyRepository, caches?.keys);
  const login = new LoginService(users, hasher, tokens, options);
  const userAdmin = new UserService(users, hasher, tokens, options);
  return { orgs, users, keyRepository, hasher, tokens, apiKeys, login, userStates, userAdmin };
}

/** Creates a user with the given role and password in an organisation. */
export async function createTestUser(
  services: IdentityServices,
  input: { orgId: string; email: string; role: Role; password?: string },
): Promise<AppUserEntity> {
  const passwordHash = await services.hasher.hash(input.password ?? 'correct horse battery staple');
  return services.users.create({ orgId: input.orgId, email: input.email, passwordHash, role: input.role });
}
