import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditActions } from '@gw/audit';
import { ApiKeyService, CurrentPrincipal, requireActor, type Principal } from '@gw/identity';
import { auditPrincipal } from '../audit/audit-principal';
import { CREATE_KEY_BODY_SCHEMA, parseCreateKeyBody } from './create-key.schema';
import { CREATED_KEY_RESPONSE_SCHEMA, KEY_RESPONSE_SCHEMA, toKeyResponse, type KeyResponse } from './key.mapper';

/** API keys: everyone creates their own; owners/admins manage the organisation's; auditors read them. */
@ApiTags('API keys')
@ApiBearerAuth()
@Controller('api/keys')
export class KeysController {
  constructor(
    private readonly keys: ApiKeyService,
    private readonly audit: AuditActions,
  ) {}

  @Post()
  @ApiOperation({ operationId: 'createApiKey', summary: 'Create a key for the caller; the plaintext `key` is returned only here' })
  @ApiBody({ schema: CREATE_KEY_BODY_SCHEMA })
  @ApiCreatedResponse({ schema: CREATED_KEY_RESPONSE_SCHEMA })
  async create(@CurrentPrincipal() p: Principal | undefined, @Body() body: unknown): Promise<KeyResponse & { key: string }> {
    const { orgId, userId } = requireActor(p);
    const input = parseCreateKeyBody(body);
    const { key, plaintext } = await this.keys.create({ orgId, userId, ...input });
    await this.audit.record({ eventType: 'admin', orgId, principal: auditPrincipal(p!), action: 'key.create', details: { key_id: key.id, key_preview: key.keyPreview, label: key.label } });
    return { ...toKeyResponse(key), key: plaintext };
  }

  @Get()
  @ApiOperation({ operationId: 'listApiKeys', summary: "The organisation's keys (owners, admins, auditors) or the caller's own (members)" })
  @ApiOkResponse({ schema: { type: 'object', properties: { data: { type: 'array', items: KEY_RESPONSE_SCHEMA } } } })
  async list(@CurrentPrincipal() p: Principal | undefined): Promise<{ data: KeyResponse[] }> {
    return { data: (await this.keys.list(requireActor(p))).map(toKeyResponse) };
  }

  @Delete(':id')
  @ApiOperation({ operationId: 'revokeApiKey', summary: 'Revoke a key (immediately); 404 for keys outside the caller’s scope' })
  @ApiOkResponse({ schema: { type: 'object', properties: { id: { type: 'string' }, revoked: { type: 'boolean', enum: [true] } } } })
  async revoke(@CurrentPrincipal() p: Principal | undefined, @Param('id') id: string): Promise<{ id: string; revoked: true }> {
    const actor = requireActor(p);
    const key = await this.keys.revoke(actor, id);
    await this.audit.record({ eventType: 'admin', orgId: actor.orgId, principal: auditPrincipal(p!), action: 'key.revoke', details: { key_id: key.id, key_preview: key.keyPreview } });
    return { id: key.id, revoked: true };
  }
}
