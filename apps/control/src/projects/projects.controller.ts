import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, requireActor, type Principal } from '@gw/identity';
import type { ProjectRecord } from '@gw/policy';
import type { FastifyReply } from 'fastify';
import { parseIfMatch } from '../policies/etag';
import { CURSOR_QUERY, LIMIT_QUERY } from '../policies/page-query';
import { pageSchema } from '../policies/policy.mapper';
import { CREATE_KEY_SCHEMA, CREATE_PROJECT_SCHEMA, PATCH_PROJECT_SCHEMA } from './project-body';
import { PROJECT_KEY_RESPONSE_SCHEMA, PROJECT_RESPONSE_SCHEMA, toProjectResponse, type ProjectKeyResponse, type ProjectResponse } from './project.mapper';
import { ProjectsService } from './projects.service';

const IF_MATCH = { name: 'if-match', required: false, description: 'The project\'s ETag ("<revision>") as last read; 412 precondition_failed when it is no longer current' };

const REVOKED_SCHEMA = { type: 'object', properties: { id: { type: 'string' }, revoked: { type: 'boolean', enum: [true] } } };

function withEtag(reply: FastifyReply, p: ProjectRecord): ProjectResponse {
  void reply.header('etag', `"${p.revision}"`);
  return toProjectResponse(p);
}

/** Projects: bind project keys to a policy, a budget and per-user quotas (spec §3.7, §4.1.2). */
@ApiTags('Projects')
@ApiBearerAuth()
@Controller('api/policy-gateway/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  @ApiOperation({ operationId: 'createProject', summary: "Owners/admins: a project; its id is project_id, else proj_ + a slug of the name (409 project_exists)" })
  @ApiBody({ schema: CREATE_PROJECT_SCHEMA })
  @ApiCreatedResponse({ schema: PROJECT_RESPONSE_SCHEMA })
  async create(@CurrentPrincipal() p: Principal | undefined, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<ProjectResponse> {
    return withEtag(reply, await this.projects.create(requireActor(p), body));
  }

  @Get()
  @ApiOperation({ operationId: 'listProjects', summary: 'Owners, admins, auditors: projects in id order (cursor pagination)' })
  @ApiQuery(LIMIT_QUERY)
  @ApiQuery(CURSOR_QUERY)
  @ApiOkResponse({ schema: pageSchema(PROJECT_RESPONSE_SCHEMA) })
  list(@CurrentPrincipal() p: Principal | undefined, @Query() query: unknown) {
    return this.projects.list(requireActor(p), query);
  }

  @Get(':project_id')
  @ApiOperation({ operationId: 'getProject', summary: 'Owners, admins, auditors: one project (ETag = its revision); 404 project_not_found' })
  @ApiOkResponse({ schema: PROJECT_RESPONSE_SCHEMA })
  async get(@CurrentPrincipal() p: Principal | undefined, @Param('project_id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<ProjectResponse> {
    return withEtag(reply, await this.projects.get(requireActor(p), id));
  }

  @Patch(':project_id')
  @ApiOperation({ operationId: 'updateProject', summary: 'Owners/admins: change fields (policy_id: null unlinks; status: disabled refuses its calls from the next request on every replica)' })
  @ApiHeader(IF_MATCH)
  @ApiBody({ schema: PATCH_PROJECT_SCHEMA })
  @ApiOkResponse({ schema: PROJECT_RESPONSE_SCHEMA })
  async patch(
    @CurrentPrincipal() p: Principal | undefined,
    @Param('project_id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProjectResponse> {
    return withEtag(reply, await this.projects.patch(requireActor(p), id, body, parseIfMatch(ifMatch)));
  }

  @Delete(':project_id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteProject', summary: 'Owners/admins: delete a project no key references (409 project_in_use: disable it instead)' })
  @ApiHeader(IF_MATCH)
  @ApiNoContentResponse()
  async remove(@CurrentPrincipal() p: Principal | undefined, @Param('project_id') id: string, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.projects.delete(requireActor(p), id, parseIfMatch(ifMatch));
  }

  @Post(':project_id/keys')
  @ApiOperation({ operationId: 'createProjectKey', summary: 'Owners/admins: a project key; the plaintext `key` is in this response only' })
  @ApiBody({ schema: CREATE_KEY_SCHEMA })
  @ApiCreatedResponse({ schema: { ...PROJECT_KEY_RESPONSE_SCHEMA, properties: { ...PROJECT_KEY_RESPONSE_SCHEMA.properties, key: { type: 'string', example: 'ak_…' } } } })
  createKey(@CurrentPrincipal() p: Principal | undefined, @Param('project_id') id: string, @Body() body: unknown): Promise<ProjectKeyResponse & { key: string }> {
    return this.projects.createKey(requireActor(p), id, body);
  }

  @Get(':project_id/keys')
  @ApiOperation({ operationId: 'listProjectKeys', summary: "Owners, admins, auditors: the project's keys, revoked ones included (never the key itself)" })
  @ApiOkResponse({ schema: { type: 'object', properties: { data: { type: 'array', items: PROJECT_KEY_RESPONSE_SCHEMA } } } })
  listKeys(@CurrentPrincipal() p: Principal | undefined, @Param('project_id') id: string) {
    return this.projects.listKeys(requireActor(p), id);
  }

  @Post(':project_id/keys/:key_id/revoke')
  @ApiOperation({ operationId: 'revokeProjectKey', summary: 'Owners/admins: revoke a project key (every replica, from the next request); idempotent' })
  @ApiCreatedResponse({ schema: REVOKED_SCHEMA })
  revokeKey(@CurrentPrincipal() p: Principal | undefined, @Param('project_id') id: string, @Param('key_id') keyId: string) {
    return this.projects.revokeKey(requireActor(p), id, keyId);
  }

  @Delete(':project_id/keys/:key_id')
  @ApiOperation({ operationId: 'deleteProjectKey', summary: 'The same as …/revoke (keys are never deleted: they stay for audit)' })
  @ApiOkResponse({ schema: REVOKED_SCHEMA })
  revokeKeyByDelete(@CurrentPrincipal() p: Principal | undefined, @Param('project_id') id: string, @Param('key_id') keyId: string) {
    return this.projects.revokeKey(requireActor(p), id, keyId);
  }
}
