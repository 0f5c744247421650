import { Inject, Injectable } from '@nestjs/common';
import { randomBase62 } from './api-key.util';
import { REVOCATION_PROPAGATION_MS } from './api-key.service';
import type { AppUserEntity } from './app-user.entity';
import { AppUserRepository, type OrgUsersTx } from './app-user.repository';
import { IdentityError } from './identity.errors';
import { rethrowCallerFault } from './identity-text';
import { LoginAttemptLimiter } from './login-attempt.limiter';
import { PasswordHasher } from './password-hasher.service';
import type { Actor } from './principal';
import { managesOrganization, managesRole, readsOrganization, type Role } from './role';
import { IDENTITY_OPTIONS, TokenService, type IdentityOptions, type TokenResponse } from './token.service';

/** A user as the services expose it (never the password hash). */
export interface UserInfo {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
}

export interface UserPatch {
  role?: Role;
  disabled?: boolean;
}

const toInfo = (u: AppUserEntity): UserInfo => ({ id: u.id, email: u.email, role: u.role, disabled: u.disabled, createdAt: u.createdAt });
const forbidden = (why: string) => IdentityError.forbidden(why);
const lastOwner = () => IdentityError.conflict('The organisation must keep at least one active owner', 'last_owner');
const settle = () => new Promise((r) => setTimeout(r, REVOCATION_PROPAGATION_MS));

/** Would this change leave the organisation without an active owner? (checked under the org lock) */
async function removesLastOwner(tx: OrgUsersTx, target: AppUserEntity, after: { role: Role; disabled: boolean } | null): Promise<boolean> {
  const activeOwner = target.role === 'owner' && !target.disabled;
  const staysActiveOwner = after !== null && after.role === 'owner' && !after.disabled;
  return activeOwner && !staysActiveOwner && (await tx.activeOwnersBesides(target.id)) === 0;
}

/**
 * User management inside one organisation (`/api/users`). Every lookup is scoped to the actor's
 * organisation first, so another organisation's user is a 404 whatever the actor's role. Changes that
 * must take effect at once (disable, role change, delete, password change) commit with a NOTIFY and
 * return after the propagation window, like key revocation.
 */
@Injectable()
export class UserService {
  private readonly passwordAttempts: LoginAttemptLimiter;

  constructor(
    private readonly users: AppUserRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    @Inject(IDENTITY_OPTIONS) options: Pick<IdentityOptions, 'loginAttemptsPerMinute'>,
  ) {
    this.passwordAttempts = new LoginAttemptLimiter(options.loginAttemptsPerMinute);
  }

  /** Creates a user with a generated one-time password (24 base62 characters), returned only here. */
  async create(actor: Actor, input: { email: string; role: Role }): Promise<{ user: UserInfo; password: string }> {
    if (!managesOrganization(actor.role)) throw forbidden('Only owners and admins manage users');
    if (!managesRole(actor.role, input.role)) throw forbidden('Only owners can create owners');
    const password = randomBase62(24);
    const passwordHash = await this.hasher.hash(password);
    const user = await this.users.inOrg(actor.orgId, (tx) => tx.insert({ email: input.email, passwordHash, role: input.role })).catch((err: unknown) => rethrowCallerFault(err, 'email'));
    return { user: toInfo(user), password };
  }

  async list(actor: Actor): Promise<UserInfo[]> {
    if (!readsOrganization(actor.role)) throw forbidden('Members can only read their own profile (GET /api/users/me)');
    return (await this.users.listByOrg(actor.orgId)).map(toInfo);
  }

  /** Readers (owner, admin, auditor) see any user of their organisation; everyone sees themselves. */
  async get(actor: Actor, id: string): Promise<UserInfo> {
    if (!readsOrganization(actor.role) && id !== actor.userId) throw forbidden('Members can only read their own profile (GET /api/users/me)');
    const user = await this.users.findInOrg(actor.orgId, id);
    if (!user) throw IdentityError.userNotFound();
    return toInfo(user);
  }

  /** Role change and disable end the user's login tokens (token version) and evict their keys everywhere. */
  async update(actor: Actor, id: string, patch: UserPatch): Promise<UserInfo> {
    if (!managesOrganization(actor.role)) throw forbidden('Only owners and admins manage users');
    const updated = await this.users.inOrg(actor.orgId, async (tx) => {
      const target = await tx.find(id);
      if (!target) throw IdentityError.userNotFound();
      if (!managesRole(actor.role, target.role)) throw forbidden('Only owners can change an owner');
      const role = patch.role ?? target.role;
      const disabled = patch.disabled ?? target.disabled;
      if (!managesRole(actor.role, role)) throw forbidden('Only owners can make a user an owner');
      if (await removesLastOwner(tx, target, { role, disabled })) throw lastOwner();
      return tx.update(id, { role, disabled, bumpTokenVersion: role !== target.role || (disabled && !target.disabled) });
    });
    await settle();
    return toInfo(updated!);
  }

  /** Deletes the user and their API keys. */
  async delete(actor: Actor, id: string): Promise<void> {
    if (!managesOrganization(actor.role)) throw forbidden('Only owners and admins manage users');
    await this.users.inOrg(actor.orgId, async (tx) => {
      const target = await tx.find(id);
      if (!target) throw IdentityError.userNotFound();
      if (!managesRole(actor.role, target.role)) throw forbidden('Only owners can delete an owner');
      if (await removesLastOwner(tx, target, null)) throw lastOwner();
      await tx.delete(id);
    });
    await settle();
  }

  /** The caller's own password; ends every other login token and returns a fresh one. */
  async changePassword(actor: Actor, currentPassword: string, newPassword: string): Promise<TokenResponse> {
    if (!actor.userId) throw IdentityError.unauthenticated();
    const retryAfter = this.passwordAttempts.retryAfterSeconds(actor.userId);
    if (retryAfter > 0) {
      throw new IdentityError('rate_limited', 'too_many_password_attempts', 'Too many wrong passwords; try again later', { retryAfterSeconds: retryAfter });
    }
    const user = await this.users.findInOrg(actor.orgId, actor.userId);
    if (!user) throw IdentityError.unauthenticated();
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) {
      this.passwordAttempts.recordFailure(actor.userId);
      throw new IdentityError('invalid_request', 'invalid_current_password', 'The current password is wrong', { param: 'current_password' });
    }
    this.passwordAttempts.reset(actor.userId);
    const passwordHash = await this.hasher.hash(newPassword);
    const updated = await this.users.inOrg(actor.orgId, (tx) => tx.update(user.id, { passwordHash, bumpTokenVersion: true }));
    if (!updated) throw IdentityError.unauthenticated();
    await settle();
    return this.tokens.sign(updated);
  }
}
