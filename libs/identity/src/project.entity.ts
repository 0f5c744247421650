import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { OrganizationEntity } from './organization.entity';

/**
 * The `project` table (migration ProjectsRolloutHistory), mapped so that the schema-drift check covers it and knows
 * the `api_key` → `project` foreign key. Reads and writes go through `ProjectRepository` (@gw/policy, plain SQL);
 * this class only describes the schema. It lives here because {@link ApiKeyEntity} references it.
 */
@Entity({ name: 'project' })
@Check('CHK_project_project_id', `"project_id" ~ '^proj_[a-z0-9][a-z0-9_]{0,62}$'`)
@Check('CHK_project_status', `"status" IN ('active', 'disabled')`)
export class ProjectEntity {
  @PrimaryColumn({ name: 'org_id', type: 'uuid', primaryKeyConstraintName: 'PK_project' })
  orgId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'org_id', foreignKeyConstraintName: 'FK_project_org_id' })
  organization?: OrganizationEntity;

  @PrimaryColumn({ name: 'project_id', type: 'text', primaryKeyConstraintName: 'PK_project' })
  projectId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'text', default: 'active' })
  status!: string;

  @Column({ name: 'policy_id', type: 'text', nullable: true })
  policyId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  budget!: unknown;

  @Column({ name: 'user_quota', type: 'jsonb', nullable: true })
  userQuota!: unknown;

  @Column({ name: 'web_tools', type: 'jsonb', nullable: true })
  webTools!: unknown;

  @Column({ type: 'integer', default: 1 })
  revision!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;
}
