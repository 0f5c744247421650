import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, IdentityError, requireActor, type Principal } from '@gw/identity';
import { parseIfMatch } from '../../policies/etag';
import type { ConnectorResponse } from './connector.mapper';
import { ConnectorsService } from './connectors.service';

const IF_MATCH = { name: 'if-match', required: false, description: 'The connector\'s ETag ("<revision>") as last read; 412 precondition_failed when it is no longer current' };

function withEtag(reply: FastifyReply, c: ConnectorResponse): ConnectorResponse {
  void reply.header('etag', `"${c.revision}"`);
  return c;
}

/** `?include_replayed=&limit=` of the dead-letter list; anything else is a 400 naming it. */
function deadLetterQuery(raw: unknown): { includeReplayed: boolean; limit: number } {
  const q = (raw ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(q).find((k) => k !== 'include_replayed' && k !== 'limit');
  if (unknown !== undefined) throw IdentityError.invalid(`Unknown query parameter '${unknown.slice(0, 64)}' (expected include_replayed, limit)`, unknown.slice(0, 64));
  const inc = q.include_replayed;
  if (inc !== undefined && inc !== 'true' && inc !== 'false') throw IdentityError.invalid("'include_replayed' must be true or false", 'include_replayed');
  const limit = q.limit === undefined ? 100 : typeof q.limit === 'string' && /^[0-9]{1,4}$/.test(q.limit) ? Number(q.limit) : NaN;
  if (!(limit >= 1 && limit <= 1000)) throw IdentityError.invalid("'limit' must be an integer from 1 to 1000", 'limit');
  return { includeReplayed: inc === 'true', limit };
}

/**
 * SIEM and archive connectors of the organisation's audit trail (spec §4.10): webhook, Splunk HEC, S3, OTLP logs.
 * Owners and admins write, auditors read; secrets are write-only (masked on read).
 */
@ApiTags('Audit')
@ApiBearerAuth()
@Controller('api/audit/connectors')
export class ConnectorsController {
  constructor(private readonly connectors: ConnectorsService) {}

  @Get()
  @ApiOperation({ operationId: 'auditConnectors', summary: 'Connectors of the organisation, secrets masked, with their delivery state' })
  list(@CurrentPrincipal() p: Principal | undefined) {
    return this.connectors.list(requireActor(p));
  }

  @Post()
  @ApiOperation({ operationId: 'createAuditConnector', summary: 'Owners/admins: {name, kind, config, project_id?, event_types?, enabled?, backfill?}; delivers events chained from now on (backfill: the retained history too)' })
  async create(@CurrentPrincipal() p: Principal | undefined, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.connectors.create(requireActor(p), p!, body));
  }

  @Get(':id')
  @ApiOperation({ operationId: 'auditConnector', summary: 'One connector (404 connector_not_found, also for other organisations)' })
  async get(@CurrentPrincipal() p: Principal | undefined, @Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.connectors.get(requireActor(p), id));
  }

  @Patch(':id')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ operationId: 'updateAuditConnector', summary: 'Owners/admins: change name, config (masked secrets sent back unchanged are kept), project_id, event_types, enabled (false pauses; true resumes where it stopped)' })
  async patch(@CurrentPrincipal() p: Principal | undefined, @Param('id') id: string, @Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return withEtag(reply, await this.connectors.patch(requireActor(p), p!, id, body, parseIfMatch(ifMatch)));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteAuditConnector', summary: 'Owners/admins: delete the connector (its pending deliveries end with it)' })
  async delete(@CurrentPrincipal() p: Principal | undefined, @Param('id') id: string): Promise<void> {
    await this.connectors.delete(requireActor(p), p!, id);
  }

  @Get(':id/dead-letters')
  @ApiOperation({ operationId: 'auditConnectorDeadLetters', summary: 'Seq ranges whose delivery gave up, newest first (pending only unless include_replayed=true)' })
  @ApiQuery({ name: 'include_replayed', required: false, schema: { type: 'boolean' } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } })
  deadLetters(@CurrentPrincipal() p: Principal | undefined, @Param('id') id: string, @Query() query: unknown) {
    const { includeReplayed, limit } = deadLetterQuery(query);
    return this.connectors.deadLetters(requireActor(p), id, includeReplayed, limit);
  }

  @Post(':id/dead-letters/replay')
  @HttpCode(202)
  @ApiOperation({ operationId: 'replayAuditConnectorDeadLetters', summary: 'Owners/admins: deliver every pending dead letter of the connector again' })
  replayAll(@CurrentPrincipal() p: Principal | undefined, @Param('id') id: string) {
    return this.connectors.replay(requireActor(p), p!, id, null);
  }

  @Post(':id/dead-letters/:dead_letter_id/replay')
  @HttpCode(202)
  @ApiOperation({ operationId: 'replayAuditConnectorDeadLetter', summary: 'Owners/admins: deliver one pending dead letter again' })
  replayOne(@CurrentPrincipal() p: Principal | undefined, @Param('id') id: string, @Param('dead_letter_id') dl: string) {
    return this.connectors.replay(requireActor(p), p!, id, dl);
  }
}
