import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, requireActor, type Principal } from '@gw/identity';
import { HistoryService, type HistoryPage } from './history.service';

const Q = (name: string, description: string, schema: object = { type: 'string' }) => ({ name, required: false, description, schema });
const ENTRY = {
  type: 'object',
  description: 'Spec §4.9.2; revisions add edit_type, actor {kind, id}, before, after, details',
  properties: { id: { type: 'string' }, type: { type: 'string', enum: ['revision', 'enforcement'] }, created_at: { type: 'string', format: 'date-time' } },
  additionalProperties: true,
};

/** `GET /api/policy-gateway/history` (spec §3.7): owners, admins and auditors of the organisation. */
@ApiTags('Policies')
@ApiBearerAuth()
@Controller('api/policy-gateway/history')
export class HistoryController {
  constructor(private readonly history: HistoryService) {}

  @Get()
  @ApiOperation({ operationId: 'listPolicyHistory', summary: 'Revision and enforcement entries, newest first, with filters and cursor pagination' })
  @ApiQuery(Q('type', 'revision or enforcement', { type: 'string', enum: ['revision', 'enforcement'] }))
  @ApiQuery(Q('policy_id', 'Entries of this policy'))
  @ApiQuery(Q('project_id', 'Entries of this project'))
  @ApiQuery(Q('decision', 'Enforcement entries with this decision', { type: 'string', enum: ['allow', 'redact', 'rewrite', 'summary', 'escalate', 'refuse'] }))
  @ApiQuery(Q('from', 'ISO-8601; entries at or after it', { type: 'string', format: 'date-time' }))
  @ApiQuery(Q('to', 'ISO-8601; entries before it', { type: 'string', format: 'date-time' }))
  @ApiQuery(Q('limit', 'Page size, 1 to POLICY_HISTORY_LIMIT (default 50 or that cap)', { type: 'integer', minimum: 1 }))
  @ApiQuery(Q('cursor', "The previous page's next_cursor"))
  @ApiOkResponse({ schema: { type: 'object', properties: { entries: { type: 'array', items: ENTRY }, next_cursor: { type: 'string', nullable: true } } } })
  list(@CurrentPrincipal() p: Principal | undefined, @Query() query: unknown): Promise<HistoryPage> {
    return this.history.list(requireActor(p), query);
  }
}
