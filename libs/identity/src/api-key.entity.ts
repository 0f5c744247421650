import { Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { AppUserEntity } from './app-user.entity';
import { OrganizationEntity } from './organization.entity';
import { ProjectEntity } from './project.entity';

/**
 * An `ak_` key. Only its SHA-256 (`key_hash`, the lookup index) and a short preview are stored;
 * the plaintext exists once, in the creation response.
 */
@Entity({ name: 'api_key' })
@Unique('UQ_api_key_key_hash', ['keyHash'])
@Index('IDX_api_key_org_id', ['orgId'])
@Index('IDX_api_key_user_id', ['userId'])
@Index('IDX_api_key_project', ['orgId', 'projectId'], { where: '"project_id" IS NOT NULL' })
// A key's project is one of its own organisation; a referenced project cannot be deleted (only disabled).
@ForeignKey(() => ProjectEntity, ['orgId', 'projectId'], ['orgId', 'projectId'], { name: 'FK_api_key_project', onDelete: 'RESTRICT' })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_api_key' })
  id!: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'org_id', foreignKeyConstraintName: 'FK_api_key_org_id' })
  organization?: OrganizationEntity;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @ManyToOne(() => AppUserEntity, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_api_key_user_id' })
  user?: AppUserEntity | null;

  @Column({ type: 'text' })
  label!: string;

  @Column({ name: 'key_hash', type: 'bytea' })
  keyHash!: Buffer;

  @Column({ name: 'key_preview', type: 'text' })
  keyPreview!: string;

  /** The project a project key belongs to (its policy and quotas apply); null for organisation and user keys. */
  @Column({ name: 'project_id', type: 'text', nullable: true })
  projectId!: string | null;

  @Column({ name: 'rate_limit_per_minute', type: 'integer', nullable: true })
  rateLimitPerMinute!: number | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}
