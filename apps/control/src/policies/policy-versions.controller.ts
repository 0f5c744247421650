import { Body, Controller, Get, Headers, Param, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, requireActor, type Principal } from '@gw/identity';
import type { FastifyReply } from 'fastify';
import { IF_MATCH, setEtag } from './etag';
import { InvalidPolicyFilter } from './invalid-policy.filter';
import { CURSOR_QUERY, LIMIT_QUERY } from './page-query';
import { PolicyVersionsService, type PolicyDiff } from './policy-versions.service';
import { pageSchema, POLICY_RESPONSE_SCHEMA, POLICY_VERSION_RESPONSE_SCHEMA, type Page, type PolicyResponse, type PolicyVersionResponse } from './policy.mapper';

const VERSION_QUERY = (name: 'from' | 'to') => ({ name, required: true, schema: { type: 'integer', minimum: 1 } });
const DIFF_SCHEMA = {
  type: 'object',
  properties: {
    policy_id: { type: 'string' },
    from: { type: 'integer' },
    to: { type: 'integer' },
    patch: { type: 'array', description: 'RFC 6902 JSON Patch from version `from` to version `to`', items: { type: 'object', properties: { op: { type: 'string' }, path: { type: 'string' }, value: {} } } },
  },
};

/** A policy's immutable versions: list, read, diff, restore (owners and admins restore; auditors read). */
@ApiTags('Policies')
@ApiBearerAuth()
@UseFilters(InvalidPolicyFilter)
@Controller('api/policy-gateway/policies')
export class PolicyVersionsController {
  constructor(private readonly versions: PolicyVersionsService) {}

  @Get(':policy_id/versions')
  @ApiOperation({ operationId: 'listPolicyVersions', summary: "Versions newest first, without documents; a deleted policy's too (audit)" })
  @ApiQuery(LIMIT_QUERY)
  @ApiQuery(CURSOR_QUERY)
  @ApiOkResponse({ schema: pageSchema(POLICY_VERSION_RESPONSE_SCHEMA) })
  list(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string, @Query() query: unknown): Promise<Page<PolicyVersionResponse>> {
    return this.versions.versions(requireActor(p), id, query);
  }

  @Get(':policy_id/versions/:version')
  @ApiOperation({ operationId: 'getPolicyVersion', summary: 'One version with its document, as saved (404 policy_version_not_found)' })
  @ApiOkResponse({ schema: POLICY_VERSION_RESPONSE_SCHEMA })
  version(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string, @Param('version') version: string): Promise<PolicyVersionResponse> {
    return this.versions.version(requireActor(p), id, version);
  }

  @Post(':policy_id/restore')
  @ApiOperation({ operationId: 'restorePolicyVersion', summary: "A new version whose document is version N's (201 when it re-creates a deleted policy); honours If-Match" })
  @ApiBody({ schema: { type: 'object', required: ['version'], properties: { version: { type: 'integer', minimum: 1 } } } })
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ schema: POLICY_RESPONSE_SCHEMA })
  async restore(
    @CurrentPrincipal() p: Principal | undefined,
    @Param('policy_id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PolicyResponse> {
    const saved = await this.versions.restore(requireActor(p), id, body, ifMatch);
    void reply.status(saved.created ? 201 : 200);
    setEtag(reply, saved.body.version);
    return saved.body;
  }

  @Get(':policy_id/diff')
  @ApiOperation({ operationId: 'diffPolicyVersions', summary: 'JSON Patch (RFC 6902) between two versions of a policy' })
  @ApiQuery(VERSION_QUERY('from'))
  @ApiQuery(VERSION_QUERY('to'))
  @ApiOkResponse({ schema: DIFF_SCHEMA })
  diff(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string, @Query() query: unknown): Promise<PolicyDiff> {
    return this.versions.diff(requireActor(p), id, query);
  }
}
