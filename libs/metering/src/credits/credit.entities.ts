import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** One balance per organisation. `balance` always equals the sum of its ledger entries. */
@Entity('credit_account')
@Check('CHK_credit_account_balance', '"balance" >= 0')
export class CreditAccountEntity {
  @PrimaryColumn({ name: 'org_id', type: 'uuid' })
  orgId!: string;

  @Column({ type: 'bigint', default: 0 })
  balance!: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** Credits held for one call in flight, released when its ledger entry is written (or after a TTL). */
@Entity('credit_reservation')
@Index('IDX_credit_reservation_expires_at', ['expiresAt'])
@Index('IDX_credit_reservation_org_id', ['orgId'])
@Index('IDX_credit_reservation_boot_id', ['bootId'])
export class CreditReservationEntity {
  @PrimaryColumn({ name: 'request_id', type: 'text' })
  requestId!: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId!: string;

  @Column({ type: 'bigint' })
  credits!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  // Crash recovery (ReplicaLeases migration): the owning process and what an orphan settlement needs.
  // Nullable: rows reserved by an older release carry none of it (only the TTL sweep frees those).
  @Column({ name: 'boot_id', type: 'uuid', nullable: true })
  bootId!: string | null;

  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId!: string | null;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ type: 'text', nullable: true })
  model!: string | null;

  @Column({ type: 'text', nullable: true })
  provider!: string | null;

  @Column({ name: 'upstream_model', type: 'text', nullable: true })
  upstreamModel!: string | null;

  @Column({ type: 'text', nullable: true })
  surface!: string | null;

  @Column({ type: 'boolean', nullable: true })
  stream!: boolean | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  /** First progress checkpoint: the upstream answered (streams) or was called (JSON). */
  @Column({ name: 'reached_upstream_at', type: 'timestamptz', nullable: true })
  reachedUpstreamAt!: Date | null;

  @Column({ name: 'progress_at', type: 'timestamptz', nullable: true })
  progressAt!: Date | null;

  @Column({ name: 'input_tokens', type: 'integer', nullable: true })
  inputTokens!: number | null;

  /** Output tokens streamed so far (checkpointed about once a second). */
  @Column({ name: 'output_tokens', type: 'integer', default: 0 })
  outputTokens!: number;

  /** A replica's credit lease (CreditLeases migration), not a call: released, never settled. */
  @Column({ type: 'boolean', default: false })
  lease!: boolean;

  /** A lease's last take or return applied (LeaseOpSequence migration): one sent again is recognised. */
  @Column({ name: 'lease_seq', type: 'bigint', nullable: true })
  leaseSeq!: string | null;

  /** What that take granted (answered again to a take sent twice). */
  @Column({ name: 'lease_granted', type: 'bigint', nullable: true })
  leaseGranted!: string | null;
}

/** Append-only: usage (negative credits), grants and adjustments. `entry_id` makes retries harmless. */
@Entity('credit_ledger')
@Index('IDX_credit_ledger_org_occurred', ['orgId', 'occurredAt'])
@Check('CHK_credit_ledger_kind', `"kind" IN ('usage', 'grant', 'adjustment')`)
export class CreditLedgerEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** The request id for usage, `grant_<uuid>` for grants. */
  @Column({ name: 'entry_id', type: 'text', unique: true })
  entryId!: string;

  @Column({ type: 'text' })
  kind!: 'usage' | 'grant' | 'adjustment';

  @Column({ name: 'org_id', type: 'uuid' })
  orgId!: string;

  @Column({ name: 'api_key_id', type: 'uuid', nullable: true })
  apiKeyId!: string | null;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ type: 'text', nullable: true })
  model!: string | null;

  @Column({ name: 'input_tokens', type: 'integer', default: 0 })
  inputTokens!: number;

  @Column({ name: 'output_tokens', type: 'integer', default: 0 })
  outputTokens!: number;

  /** Signed: negative for usage, positive for grants. */
  @Column({ type: 'bigint' })
  credits!: string;

  @Column({ name: 'cost_usd', type: 'numeric', precision: 18, scale: 9, default: 0 })
  costUsd!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}


