import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per audit event (migration AuditChain): the org's chain position `(org_id, seq)`, the partition key
 * `created_at` (monthly range partitions, which TypeORM cannot describe: the table is created and kept by
 * migrations and `ensurePartitions`), hot fields as columns and the rest in `attributes`. Written only through
 * {@link AuditRepository} (the chain writer); mapped so the schema-drift check covers its columns.
 */
@Entity({ name: 'audit_event' })
@Index('IDX_audit_event_event_id', { synchronize: false })
@Index('IDX_audit_event_policy_org', { synchronize: false })
@Index('IDX_audit_event_user', { synchronize: false })
@Index('IDX_audit_event_key', { synchronize: false })
@Index('IDX_audit_event_model', { synchronize: false })
@Index('IDX_audit_event_policy_user', { synchronize: false })
export class AuditEventEntity {
  @PrimaryColumn({ name: 'org_id', type: 'uuid', primaryKeyConstraintName: 'PK_audit_event' })
  orgId!: string;

  /** bigint comes back from pg as a string (it may exceed 2^53). */
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_audit_event' })
  seq!: string;

  @PrimaryColumn({ name: 'created_at', type: 'timestamptz', primaryKeyConstraintName: 'PK_audit_event' })
  createdAt!: Date;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ type: 'smallint' })
  v!: number;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'project_id', type: 'text', nullable: true })
  projectId!: string | null;

  @Column({ name: 'principal_kind', type: 'text' })
  principalKind!: string;

  @Column({ name: 'api_key_id', type: 'text', nullable: true })
  apiKeyId!: string | null;

  @Column({ name: 'key_preview', type: 'text', nullable: true })
  keyPreview!: string | null;

  @Column({ name: 'user_id', type: 'text', nullable: true })
  userId!: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;

  @Column({ type: 'text', nullable: true })
  surface!: string | null;

  @Column({ type: 'text', nullable: true })
  model!: string | null;

  @Column({ type: 'text', nullable: true })
  provider!: string | null;

  @Column({ name: 'upstream_model', type: 'text', nullable: true })
  upstreamModel!: string | null;

  @Column({ type: 'boolean', nullable: true })
  stream!: boolean | null;

  @Column({ type: 'text', nullable: true })
  status!: string | null;

  @Column({ name: 'http_status', type: 'smallint', nullable: true })
  httpStatus!: number | null;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  @Column({ name: 'finish_reason', type: 'text', nullable: true })
  finishReason!: string | null;

  @Column({ name: 'input_tokens', type: 'integer', nullable: true })
  inputTokens!: number | null;

  @Column({ name: 'output_tokens', type: 'integer', nullable: true })
  outputTokens!: number | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs!: number | null;

  @Column({ name: 'ttft_ms', type: 'integer', nullable: true })
  ttftMs!: number | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes!: Record<string, unknown>;

  @Column({ name: 'prev_hash', type: 'bytea' })
  prevHash!: Buffer;

  @Column({ name: 'entry_hash', type: 'bytea' })
  entryHash!: Buffer;

  /** `attributes.prompt_hmac` / `output_hmac` of the event, stored as bytes (see `event-row.ts`). */
  @Column({ name: 'prompt_hmac', type: 'bytea', nullable: true })
  promptHmac!: Buffer | null;

  @Column({ name: 'output_hmac', type: 'bytea', nullable: true })
  outputHmac!: Buffer | null;
}
