import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditActionRecordV2, AuditRecordPrincipal } from '../audit-record';
import { sanitizeAuditRecord } from '../audit-record.sanitize';
import type { TxClient } from '../chain/chain-writer';
import { INSERT_INBOX_SQL } from '../chain/inbox.sql';

/** One admin, auth or simulation event, as its producer describes it. */
export interface AuditAction {
  eventType: AuditActionRecordV2['eventType'];
  orgId: string | null;
  projectId?: string | null;
  principal: AuditRecordPrincipal;
  /** Dotted verb: `audit.read`, `audit.export`, `key.create`, `login.failure`… */
  action: string;
  /** `success` | `failure` | `denied`. */
  outcome?: string;
  /** More facts; never a secret, a password or prompt text. */
  details?: Record<string, unknown>;
}

/** The record of an action (random event id, now), ready for the inbox or the queue. */
export function actionRecord(a: AuditAction, now = new Date()): AuditActionRecordV2 {
  return sanitizeAuditRecord({
    v: 2,
    eventType: a.eventType,
    eventId: randomUUID(),
    orgId: a.orgId,
    projectId: a.projectId ?? null,
    principal: a.principal,
    occurredAt: now.toISOString(),
    attributes: { action: a.action, ...(a.outcome ? { outcome: a.outcome } : {}), ...(a.details ?? {}) },
  });
}

/**
 * Records actions of the control plane through `audit_inbox`: one INSERT, in the caller's transaction when it
 * passes one (the event commits with the change), else on its own. The chain writer picks it up within
 * AUDIT_INBOX_POLL_MS.
 */
@Injectable()
export class AuditActions {
  constructor(private readonly ds: DataSource) {}

  async record(a: AuditAction, tx?: TxClient): Promise<void> {
    await (tx ?? this.ds).query(INSERT_INBOX_SQL, [JSON.stringify(actionRecord(a))]);
  }
}
