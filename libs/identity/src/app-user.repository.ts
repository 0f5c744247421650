import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AppUserEntity } from './app-user.entity';
import type { Role } from './role';

/** Emails are compared and stored lower-cased (and trimmed). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
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
    return this.users.findOneBy({ id });
  }

  async setDisabled(id: string, disabled: boolean): Promise<void> {
    await this.users.update({ id }, { disabled });
  }
}
