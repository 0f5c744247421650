import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { OrganizationEntity } from './organization.entity';

/** Owns the SQL of the organization table. */
@Injectable()
export class OrganizationRepository {
  constructor(@InjectRepository(OrganizationEntity) private readonly orgs: Repository<OrganizationEntity>) {}

  create(name: string, rateLimitPerMinute: number | null = null): Promise<OrganizationEntity> {
    return this.orgs.save(this.orgs.create({ name, rateLimitPerMinute }));
  }

  findById(id: string): Promise<OrganizationEntity | null> {
    return this.orgs.findOneBy({ id });
  }

  async exists(): Promise<boolean> {
    return (await this.orgs.count({ take: 1 })) > 0;
  }

  /** Blocks concurrent bootstraps until the surrounding transaction ends (writers wait, readers do not). */
  async lockForBootstrap(): Promise<void> {
    await this.orgs.query('LOCK TABLE "organization" IN SHARE ROW EXCLUSIVE MODE');
  }
}
