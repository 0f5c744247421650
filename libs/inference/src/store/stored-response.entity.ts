import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A Responses API answer kept because its request said `store: true`, so a later request can continue
 * from it with `previous_response_id`. Holds conversation text by the caller's explicit choice; rows
 * expire after `RESPONSES_STORE_TTL_SECONDS` and are readable only by the same organisation.
 */
@Entity('stored_response')
export class StoredResponseEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'org_id', type: 'uuid' })
  orgId!: string;

  @Column({ type: 'text' })
  model!: string;

  /** Canonical messages: the conversation up to and including this answer (instructions excluded). */
  @Column({ type: 'jsonb' })
  history!: unknown;

  /** The response object as it was returned. */
  @Column({ type: 'jsonb' })
  response!: unknown;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Index('IDX_stored_response_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
