import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, requireActor, type Principal } from '@gw/identity';
import type { FastifyReply } from 'fastify';
import { InvalidPolicyFilter } from './invalid-policy.filter';
import { PoliciesService } from './policies.service';
import { pageSchema, POLICY_RESPONSE_SCHEMA, POLICY_VERSION_RESPONSE_SCHEMA, type Page, type PolicyResponse, type PolicyVersionResponse } from './policy.mapper';

const DOCUMENT_BODY = { schema: { type: 'object', description: 'A Gen-1 PolicyConfig or Gen-2 Policy document (spec §4.1); at most 1 MiB' } };
const LIMIT = { name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } };
const CURSOR = { name: 'cursor', required: false, description: "The previous page's next_cursor" };

/**
 * Stored, versioned policies of the caller's organisation. Owners and admins write; auditors read; members
 * get 403. An invalid document is a 400 `invalid_policy` listing every issue.
 */
@ApiTags('Policies')
@ApiBearerAuth()
@UseFilters(InvalidPolicyFilter)
@Controller('api/policy-gateway/policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Post()
  @ApiOperation({ operationId: 'createPolicy', summary: "Create a policy, version 1; its id is the document's policy_id, else a slug of its name (409 policy_exists)" })
  @ApiBody(DOCUMENT_BODY)
  @ApiCreatedResponse({ schema: POLICY_RESPONSE_SCHEMA })
  create(@CurrentPrincipal() p: Principal | undefined, @Body() body: unknown): Promise<PolicyResponse> {
    return this.policies.create(requireActor(p), body);
  }

  @Get()
  @ApiOperation({ operationId: 'listPolicies', summary: 'Live policies in id order, without their documents (owners, admins, auditors)' })
  @ApiQuery(LIMIT)
  @ApiQuery(CURSOR)
  @ApiOkResponse({ schema: pageSchema(POLICY_RESPONSE_SCHEMA) })
  list(@CurrentPrincipal() p: Principal | undefined, @Query() query: unknown): Promise<Page<PolicyResponse>> {
    return this.policies.list(requireActor(p), query);
  }

  @Get(':policy_id')
  @ApiOperation({ operationId: 'getPolicy', summary: 'The latest version with its document (404 policy_not_found, also for other organisations)' })
  @ApiOkResponse({ schema: POLICY_RESPONSE_SCHEMA })
  get(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string): Promise<PolicyResponse> {
    return this.policies.get(requireActor(p), id);
  }

  @Put(':policy_id')
  @ApiOperation({ operationId: 'savePolicy', summary: 'Save a new immutable version (201 when this creates the policy); replicas use it from their next request' })
  @ApiBody(DOCUMENT_BODY)
  @ApiOkResponse({ schema: POLICY_RESPONSE_SCHEMA })
  async put(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<PolicyResponse> {
    const saved = await this.policies.put(requireActor(p), id, body);
    void reply.status(saved.created ? 201 : 200);
    return saved.body;
  }

  @Delete(':policy_id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deletePolicy', summary: 'Delete (a tombstone: versions stay readable; re-creating the id continues its version numbers)' })
  @ApiNoContentResponse()
  async remove(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string): Promise<void> {
    await this.policies.delete(requireActor(p), id);
  }

  @Get(':policy_id/versions')
  @ApiOperation({ operationId: 'listPolicyVersions', summary: "Versions newest first, without documents; a deleted policy's too (audit)" })
  @ApiQuery(LIMIT)
  @ApiQuery(CURSOR)
  @ApiOkResponse({ schema: pageSchema(POLICY_VERSION_RESPONSE_SCHEMA) })
  versions(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string, @Query() query: unknown): Promise<Page<PolicyVersionResponse>> {
    return this.policies.versions(requireActor(p), id, query);
  }

  @Get(':policy_id/versions/:version')
  @ApiOperation({ operationId: 'getPolicyVersion', summary: 'One version with its document, as saved (404 policy_version_not_found)' })
  @ApiOkResponse({ schema: POLICY_VERSION_RESPONSE_SCHEMA })
  version(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string, @Param('version') version: string): Promise<PolicyVersionResponse> {
    return this.policies.version(requireActor(p), id, version);
  }
}
