import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { AppUserEntity } from './app-user.entity';
import { API_KEY_CHANNEL, userChangePayload } from './identity-change.feed';
import { isUuid } from './identity-text';
import type { Role } from './role';
import type { UserState } from './user-state.cache';

/** Emails are compared and stored lower-cased (and trimmed). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface UserChange {
  role?: Role;
  disabled?: boolean;
  passwordHash?: string;
  /** Ends every login token issued before (the `ver` claim no longer matches). */
  bumpTokenVersion?: boolean;
}

/**
 * The user-management statements of one organisation, inside a transaction that holds the
 * organisation's user lock, so "is this the last active owner?" cannot be answered twice at once.
 */
export class OrgUsersTx {
  private readonly users: Repository<AppUserEntity>;

  constructor(
    private readonly manager: EntityManager,
    readonly orgId: string,
  ) {
    this.users = manager.getRepository(AppUserEntity);
  }

  find(id: string): Promise<AppUserEntity | null> {
    return isUuid(id) ? this.users.findOneBy({ orgId: this.orgId, id }) : Promise.resolve(null);
  }

  /** Owners that can act (not disabled), other than `exceptId`. */
  activeOwnersBesides(exceptId: string): Promise<number> {
    return this.users.createQueryBuilder('u').where('u.org_id = :org AND u.role = :role AND u.disabled = false AND u.id <> :id', { org: this.orgId, role: 'owner', id: exceptId }).getCount();
  }

  insert(input: { email: string; passwordHash: string; role: Role }): Promise<AppUserEntity> {
    return this.users.save(this.users.create({ ...input, orgId: this.orgId, email: normalizeEmail(input.email), disabled: false, tokenVersion: 0 }));
  }

  async update(id: string, change: UserChange): Promise<AppUserEntity | null> {
    const set: Record<string, unknown> = {};
    if (change.role !== undefined) set.role = change.role;
    if (change.disabled !== undefined) set.disabled = change.disabled;
    if (change.passwordHash !== undefined) set.passwordHash = change.passwordHash;
    if (change.bumpTokenVersion) set.tokenVersion = () => 'token_version + 1';
    if (Object.keys(set).length) await this.users.update({ orgId: this.orgId, id }, set);
    await this.announce(id);
    return this.find(id);
  }

  /** Deletes the user; their API keys go with them (FK ON DELETE CASCADE). */
  async delete(id: string): Promise<boolean> {
    const result = await this.users.delete({ orgId: this.orgId, id });
    await this.announce(id);
    return (result.affected ?? 0) > 0;
  }

  /** NOTIFY inside the transaction: Postgres delivers it at commit, and only if it commits. */
  private async announce(userId: string): Promise<void> {
    await this.manager.query(`SELECT pg_notify('${API_KEY_CHANNEL}', $1)`, [userChangePayload(userId)]);
  }
}

/** Owns the SQL of the app_user table. */
@Injectable()
export class AppUserRepository {
  constructor(@InjectRepository(AppUserEntity) private readonly users: Repository<AppUserEntity>) {}

  create(input: { orgId: string; email: string; passwordHash: string; role: Role }): Promise<AppUserEntity> {
    return this.users.save(this.users.create({ ...input, email: normalizeEmail(input.email), disabled: false }));
  }

  findByEmail(email: string): Promise<AppUserEntity | null> {
    return this.users.findOneBy({ email: normalizeEmail(email) });
  }

  findById(id: string): Promise<AppUserEntity | null> {
    return isUuid(id) ? this.users.findOneBy({ id }) : Promise.resolve(null);
  }

  findInOrg(orgId: string, id: string): Promise<AppUserEntity | null> {
    return isUuid(id) ? this.users.findOneBy({ orgId, id }) : Promise.resolve(null);
  }

  listByOrg(orgId: string): Promise<AppUserEntity[]> {
    return this.users.find({ where: { orgId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Role, status and token version (null: no such user). One primary-key lookup. */
  async state(id: string): Promise<UserState | null> {
    if (!isUuid(id)) return null;
    const rows = await this.users.query<Array<{ id: string; org_id: string; role: Role; disabled: boolean; token_version: number }>>(
      'SELECT id, org_id, role, disabled, token_version FROM app_user WHERE id = $1',
      [id],
    );
    const r = rows[0];
    return r ? { id: r.id, orgId: r.org_id, role: r.role, disabled: r.disabled, tokenVersion: r.token_version } : null;
  }

  /** Runs `work` in a transaction holding the organisation's user-management lock (see {@link OrgUsersTx}). */
  inOrg<T>(orgId: string, work: (tx: OrgUsersTx) => Promise<T>): Promise<T> {
    return this.users.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7704))', [orgId]);
      return work(new OrgUsersTx(manager, orgId));
    });
  }

  /** Test and script helper; the users API goes through {@link inOrg} (last-owner rule). */
  async setDisabled(id: string, disabled: boolean): Promise<void> {
    const user = await this.findById(id);
    if (user) await this.inOrg(user.orgId, (tx) => tx.update(id, { disabled, bumpTokenVersion: disabled }));
  }
}
