import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { OrganizationEntity } from './organization.entity';
import type { Role } from './role';

/** A person who logs in (`user` is reserved in SQL, hence `app_user`). Email is stored lower-cased. */
@Entity({ name: 'app_user' })
@Unique('UQ_app_user_email', ['email'])
@Index('IDX_app_user_org_id', ['orgId'])
@Check('CHK_app_user_role', `"role" IN ('owner', 'admin', 'auditor', 'member')`)
export class AppUserEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_app_user' })
  id!: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId!: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'org_id', foreignKeyConstraintName: 'FK_app_user_org_id' })
  organization?: OrganizationEntity;

  @Column({ type: 'text' })
  email!: string;

  /** Argon2id PHC string; never leaves the identity lib. */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  @Column({ type: 'text' })
  role!: Role;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** Login tokens carry it (`ver`) and die when it moves: password change, disable, role change. */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
