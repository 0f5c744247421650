import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * One row per inference request (~250 B plus indexes). Narrow on purpose: hot fields are columns,
 * later or rare fields go into `attributes`. `created_at` is the commit time, so
 * `created_at - finished_at` is the audit lag. Written only through {@link AuditRepository}.
 */
@Entity({ name: 'audit_event' })
@Unique('UQ_audit_event_request_id', ['requestId'])
@Index('IDX_audit_event_started_at', ['startedAt'])
// Partial expression index of the history read (migration AuditPolicyHistoryIndex); TypeORM cannot describe it.
@Index('IDX_audit_event_policy_org', { synchronize: false })
export class AuditEventEntity {
  /** bigint comes back from pg as a string (it may exceed 2^53). */
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_audit_event' })
  id!: string;

  @Column({ name: 'request_id', type: 'text' })
  requestId!: string;

  @Column({ type: 'text' })
  surface!: string;

  @Column({ type: 'text' })
  model!: string;

  @Column({ type: 'text' })
  provider!: string;

  @Column({ name: 'upstream_model', type: 'text' })
  upstreamModel!: string;

  @Column({ type: 'boolean' })
  stream!: boolean;

  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'http_status', type: 'smallint' })
  httpStatus!: number;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  @Column({ name: 'finish_reason', type: 'text', nullable: true })
  finishReason!: string | null;

  @Column({ name: 'input_tokens', type: 'integer' })
  inputTokens!: number;

  @Column({ name: 'output_tokens', type: 'integer' })
  outputTokens!: number;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz' })
  finishedAt!: Date;

  @Column({ name: 'latency_ms', type: 'integer' })
  latencyMs!: number;

  @Column({ name: 'ttft_ms', type: 'integer', nullable: true })
  ttftMs!: number | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes!: Record<string, unknown>;
}
