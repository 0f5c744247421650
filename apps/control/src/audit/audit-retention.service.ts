import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { AuditActions, MAX_RETENTION_DAYS, RetentionSettings, type OrgRetention } from '@gw/audit';
import { IdentityError, managesOrganization, type Actor, type Principal } from '@gw/identity';
import { auditPrincipal, requireAuditReader } from './audit-principal';

/** `GET /api/audit/retention`: the organisation's own settings beside the global ones. */
export interface RetentionResponse extends OrgRetention {
  /** Days content is kept when neither the policy nor the org says less (AUDIT_CONTENT_RETENTION_DAYS). */
  content_default_days: number;
  /** Global retention in months (AUDIT_RETENTION_MONTHS); null: kept forever. */
  global_months: number | null;
  /** Lowest seq still retained: events below it were removed by retention. */
  retained_from: number;
}

const FIELDS = ['events_days', 'content_days'] as const;

/** `{events_days?, content_days?}`: each null (inherit the global setting) or an integer 1..36500; 400 naming the field otherwise. */
export function parseRetentionChange(body: unknown): Partial<OrgRetention> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw IdentityError.invalid('The body must be a JSON object with events_days and/or content_days', 'body');
  const unknown = Object.keys(body).find((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown !== undefined) throw IdentityError.invalid(`Unknown field '${unknown.slice(0, 64)}' (expected events_days, content_days)`, unknown.slice(0, 64));
  const change: Partial<OrgRetention> = {};
  for (const field of FIELDS) {
    const v = (body as Record<string, unknown>)[field];
    if (v === undefined) continue;
    if (v !== null && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_RETENTION_DAYS)) {
      throw IdentityError.invalid(`'${field}' must be null (the global setting) or an integer from 1 to ${MAX_RETENTION_DAYS}`, field);
    }
    change[field] = v as number | null;
  }
  if (!Object.keys(change).length) throw IdentityError.invalid('Send events_days and/or content_days', 'events_days');
  return change;
}

/**
 * Per-organisation retention (issue 11): owners and admins set how many days of events and of retained content the
 * org keeps (shorter than the global retention to matter: the hourly retention tick deletes past it); auditors read;
 * members 403. A change commits with its `admin` event (before/after).
 */
@Injectable()
export class AuditRetentionService {
  constructor(
    private readonly ds: DataSource,
    private readonly actions: AuditActions,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async get(p: Principal | undefined): Promise<RetentionResponse> {
    const actor = requireAuditReader(p);
    return this.response(await RetentionSettings.read(this.ds, actor.orgId));
  }

  async put(p: Principal | undefined, body: unknown): Promise<RetentionResponse> {
    const actor: Actor = requireAuditReader(p);
    if (!managesOrganization(actor.role)) throw IdentityError.forbidden('Only owners and admins change audit retention');
    const change = parseRetentionChange(body);
    await this.ds.transaction(async (tx) => {
      const { before, after } = await RetentionSettings.update(tx, actor.orgId, change);
      await this.actions.record({ eventType: 'admin', orgId: actor.orgId, principal: auditPrincipal(p!), action: 'audit.retention.update', details: { before, after } }, tx);
    });
    return this.response(await RetentionSettings.read(this.ds, actor.orgId));
  }

  private response(s: OrgRetention & { retained_from: number }): RetentionResponse {
    const env = this.config.env;
    return { ...s, content_default_days: env.AUDIT_CONTENT_RETENTION_DAYS, global_months: env.AUDIT_RETENTION_MONTHS || null, retained_from: s.retained_from };
  }
}
