import { Readable } from 'node:stream';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AUDIT_SIGNER, AuditActions, AuditReader, ContentHmacKeys, contentView, ContentVault, type CheckpointSigner, type ChainedAuditEvent, type ContentView } from '@gw/audit';
import { CurrentPrincipal, IdentityError, type Principal } from '@gw/identity';
import { Inject } from '@nestjs/common';
import { auditPrincipal, requireAuditReader } from './audit-principal';
import { auditQuery, AuditQueryService } from './audit-query.service';
import { AuditVerifyService, type VerifyAnswer } from './audit-verify.service';
import { parseVerifyRange } from './verify-range';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The audit trail for compliance teams (owners, admins, auditors; everything scoped to the caller's organisation). */
@ApiTags('Audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(
    private readonly reader: AuditReader,
    private readonly verifier: AuditVerifyService,
    private readonly actions: AuditActions,
    @Inject(AUDIT_SIGNER) private readonly signer: CheckpointSigner,
    private readonly hmac: ContentHmacKeys,
    private readonly query: AuditQueryService,
    private readonly vault: ContentVault,
  ) {}

  @Get('events')
  @ApiOperation({ operationId: 'auditEvents', summary: 'Events of the organisation, newest first, filtered (time, class, decision, reason, policy, project, user, key, model, surface, category, status), cursor-paged' })
  async events(@CurrentPrincipal() p: Principal | undefined, @Query() raw: unknown) {
    const actor = requireAuditReader(p);
    const q = auditQuery(raw, 'events');
    const page = await this.query.page(actor.orgId, q);
    await this.actions.record({ eventType: 'admin', orgId: actor.orgId, principal: auditPrincipal(p!), action: 'audit.read', details: { query: queryOf(raw), returned: page.data.length } });
    return page;
  }

  @Get('stats')
  @ApiOperation({ operationId: 'auditStats', summary: 'Counts by decision, category, project and day over a range (dashboards)' })
  async stats(@CurrentPrincipal() p: Principal | undefined, @Query() raw: unknown) {
    const actor = requireAuditReader(p);
    const stats = await this.query.stats(actor.orgId, auditQuery(raw, 'stats'));
    await this.actions.record({ eventType: 'admin', orgId: actor.orgId, principal: auditPrincipal(p!), action: 'audit.stats', details: { query: queryOf(raw) } });
    return stats;
  }

  @Get('export')
  @ApiOperation({ operationId: 'auditExport', summary: 'Streams the matching events (format=jsonl|csv), oldest first; JSONL ends with the checkpoints covering it and an export line for offline verification' })
  async export(@CurrentPrincipal() p: Principal | undefined, @Query() raw: unknown, @Res() reply: FastifyReply): Promise<void> {
    const actor = requireAuditReader(p);
    const q = auditQuery(raw, 'export');
    const csv = q.format === 'csv';
    await this.actions.record({ eventType: 'admin', orgId: actor.orgId, principal: auditPrincipal(p!), action: 'audit.export', details: { query: queryOf(raw) } });
    const name = `audit-${actor.orgId}-${new Date().toISOString().replace(/[:.]/g, '-')}.${csv ? 'csv' : 'jsonl'}`;
    void reply
      .header('content-type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(Readable.from(csv ? this.query.csv(actor.orgId, q) : this.query.jsonl(actor.orgId, q)));
  }

  @Post('hmac')
  @HttpCode(200)
  @ApiOperation({ operationId: 'auditContentHmac', summary: "The organisation's HMAC of a text, to compare with events' prompt_hmac / output_hmac (proves a text was or was not sent)" })
  async contentHmac(@CurrentPrincipal() p: Principal | undefined, @Body() body: unknown): Promise<{ org_id: string; hmac: string }> {
    const actor = requireAuditReader(p);
    const text = (body as { text?: unknown } | null)?.text;
    if (typeof text !== 'string') throw IdentityError.invalid('text: a string is required (the exact prompt or output text)', 'text');
    await this.actions.record({ eventType: 'admin', orgId: actor.orgId, principal: auditPrincipal(p!), action: 'audit.content_check' });
    return { org_id: actor.orgId, hmac: this.hmac.hmac(actor.orgId, text) };
  }

  @Get('public-key')
  @ApiOperation({ operationId: 'auditPublicKey', summary: 'The Ed25519 public keys (PEM, SPKI) that sign checkpoints: the current one and every earlier one' })
  async publicKey(@CurrentPrincipal() p: Principal | undefined) {
    requireAuditReader(p);
    const keys = await this.reader.publicKeys();
    return {
      algorithm: 'Ed25519',
      current_key_id: this.signer.keyId,
      public_key: this.signer.publicKeyPem,
      keys: [...keys].map(([key_id, k]) => ({ key_id, public_key: k.pem, created_at: k.created_at })),
    };
  }

  @Get('verify')
  @ApiOperation({ operationId: 'auditVerify', summary: "Recomputes the organisation's hash chain over a range (seq numbers or ISO times) and checks the checkpoints" })
  @ApiQuery({ name: 'from', required: false, description: 'First seq, or an ISO-8601 time (events created from it)' })
  @ApiQuery({ name: 'to', required: false, description: 'Last seq, or an ISO-8601 time (events created before it)' })
  async verify(@CurrentPrincipal() p: Principal | undefined, @Query() query: unknown): Promise<VerifyAnswer> {
    const actor = requireAuditReader(p);
    const range = parseVerifyRange(query);
    const report = await this.verifier.verify(actor.orgId, range);
    await this.actions.record({ eventType: 'admin', orgId: actor.orgId, principal: auditPrincipal(p!), action: 'audit.verify', outcome: report.ok ? 'ok' : 'broken', details: { from: report.from, to: report.to, checked: report.checked } });
    return report;
  }

  @Get('events/:event_id')
  @ApiOperation({ operationId: 'auditEvent', summary: 'One event of the organisation (404 audit_event_not_found otherwise); include=content adds its retained prompt/output, decrypted' })
  @ApiQuery({ name: 'include', required: false, enum: ['content'], description: 'content: the retained text ({prompt, output, expires_at}, or null with content_expired); the read is audited with content_read' })
  @ApiOkResponse({ description: 'The event, with its seq, prev_hash and entry_hash' })
  async event(@CurrentPrincipal() p: Principal | undefined, @Param('event_id') id: string, @Query() query: unknown): Promise<ChainedAuditEvent | (ChainedAuditEvent & ContentView)> {
    const actor = requireAuditReader(p);
    const withContent = includesContent(query);
    const event = UUID.test(id) ? await this.reader.event(actor.orgId, id.toLowerCase()) : null;
    if (!event) throw new IdentityError('not_found', 'audit_event_not_found', 'No such audit event in your organisation', { param: 'event_id' });
    const view = withContent ? contentView(this.vault, event, await this.reader.content(actor.orgId, event.event_id)) : null;
    const details = view ? { event_id: event.event_id, content_read: true, content: contentState(view) } : { event_id: event.event_id };
    await this.actions.record({ eventType: 'admin', orgId: actor.orgId, principal: auditPrincipal(p!), action: 'audit.read', details });
    return view ? { ...event, ...view } : event;
  }
}

/** `?include=content` (anything else under `include` is a 400 naming it). */
function includesContent(raw: unknown): boolean {
  const include = (raw as Record<string, unknown> | null)?.include;
  if (include === undefined) return false;
  if (include === 'content') return true;
  throw IdentityError.invalid("'include' must be 'content'", 'include');
}

/** What a content read found, for its admin event (never the text). */
const contentState = (v: ContentView): string => (v.content ? 'returned' : v.content_expired ? 'expired' : (v.content_error ?? 'none'));

/** The query string as received, for the admin event of a read (bounded). */
function queryOf(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((raw ?? {}) as Record<string, unknown>).slice(0, 32)) out[k.slice(0, 64)] = String(v).slice(0, 256);
  return out;
}
