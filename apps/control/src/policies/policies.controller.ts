import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, requireActor, type Principal } from '@gw/identity';
import type { FastifyReply } from 'fastify';
import { IF_MATCH, setEtag } from './etag';
import { InvalidPolicyFilter } from './invalid-policy.filter';
import { CURSOR_QUERY, LIMIT_QUERY } from './page-query';
import { PoliciesService } from './policies.service';
import { pageSchema, POLICY_RESPONSE_SCHEMA, type Page, type PolicyResponse } from './policy.mapper';

const DOCUMENT_BODY = { schema: { type: 'object', description: 'A Gen-1 PolicyConfig or Gen-2 Policy document (spec §4.1); at most 1 MiB' } };

/**
 * Stored, versioned policies of the caller's organisation. Owners and admins write; auditors read; members
 * get 403. An invalid document is a 400 `invalid_policy` listing every issue. A policy's responses carry
 * `ETag: "<version>"`; PUT and DELETE honour `If-Match` (optimistic concurrency: 412 when another write came first).
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
  async create(@CurrentPrincipal() p: Principal | undefined, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<PolicyResponse> {
    const saved = await this.policies.create(requireActor(p), body);
    setEtag(reply, saved.version);
    return saved;
  }

  @Get()
  @ApiOperation({ operationId: 'listPolicies', summary: 'Live policies in id order, without their documents (owners, admins, auditors)' })
  @ApiQuery(LIMIT_QUERY)
  @ApiQuery(CURSOR_QUERY)
  @ApiOkResponse({ schema: pageSchema(POLICY_RESPONSE_SCHEMA) })
  list(@CurrentPrincipal() p: Principal | undefined, @Query() query: unknown): Promise<Page<PolicyResponse>> {
    return this.policies.list(requireActor(p), query);
  }

  @Get(':policy_id')
  @ApiOperation({ operationId: 'getPolicy', summary: 'The latest version with its document (404 policy_not_found, also for other organisations)' })
  @ApiOkResponse({ schema: POLICY_RESPONSE_SCHEMA })
  async get(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<PolicyResponse> {
    const policy = await this.policies.get(requireActor(p), id);
    setEtag(reply, policy.version);
    return policy;
  }

  @Put(':policy_id')
  @ApiOperation({ operationId: 'savePolicy', summary: 'Save a new immutable version (201 when this creates the policy); replicas use it from their next request' })
  @ApiBody(DOCUMENT_BODY)
  @ApiHeader(IF_MATCH)
  @ApiOkResponse({ schema: POLICY_RESPONSE_SCHEMA })
  async put(
    @CurrentPrincipal() p: Principal | undefined,
    @Param('policy_id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PolicyResponse> {
    const saved = await this.policies.put(requireActor(p), id, body, ifMatch);
    void reply.status(saved.created ? 201 : 200);
    setEtag(reply, saved.body.version);
    return saved.body;
  }

  @Delete(':policy_id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deletePolicy', summary: 'Delete (a tombstone: versions stay readable; re-creating the id continues its version numbers)' })
  @ApiHeader(IF_MATCH)
  @ApiNoContentResponse()
  async remove(@CurrentPrincipal() p: Principal | undefined, @Param('policy_id') id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.policies.delete(requireActor(p), id, ifMatch);
  }
}
