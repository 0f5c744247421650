import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A tenant: users, API keys (and later policies, credits) belong to one. */
@Entity({ name: 'organization' })
export class OrganizationEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_organization' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Overrides the default request rate limit for every key of the organisation (null = default). */
  @Column({ name: 'rate_limit_per_minute', type: 'integer', nullable: true })
  rateLimitPerMinute!: number | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
