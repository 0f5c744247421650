import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AUDIT_SIGNER, AuditActions, AuditReader, ContentHmacKeys, type CheckpointSigner, type ChainedAuditEvent } from '@gw/audit';
import { CurrentPrincipal, IdentityError, type Principal } from '@gw/identity';
import { Inject } from '@nestjs/common';
import { auditPrincipal, requireAuditReader } from './audit-principal';
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
  ) {}

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
  @ApiOperation({ operationId: 'auditEvent', summary: 'One event of the organisation (404 audit_event_not_found otherwise)' })
  @ApiOkResponse({ description: 'The event, with its seq, prev_hash and entry_hash' })
  async event(@CurrentPrincipal() p: Principal | undefined, @Param('event_id') id: string): Promise<ChainedAuditEvent> {
    const actor = requireAuditReader(p);
    const event = UUID.test(id) ? await this.reader.event(actor.orgId, id.toLowerCase()) : null;
    if (!event) throw new IdentityError('not_found', 'audit_event_not_found', 'No such audit event in your organisation', { param: 'event_id' });
    await this.actions.record({ eventType: 'admin', orgId: actor.orgId, principal: auditPrincipal(p!), action: 'audit.read', details: { event_id: event.event_id } });
    return event;
  }
}
