import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, isIdentityError, requireActor, UserService, type Principal, type TokenResponse } from '@gw/identity';
import type { FastifyReply } from 'fastify';
import { TOKEN_RESPONSE_SCHEMA } from '../auth/login.schema';
import { CHANGE_PASSWORD_BODY_SCHEMA, CREATE_USER_BODY_SCHEMA, parseChangePasswordBody, parseCreateUserBody, parseUpdateUserBody, UPDATE_USER_BODY_SCHEMA } from './user.schema';
import { CREATED_USER_RESPONSE_SCHEMA, toUserResponse, USER_RESPONSE_SCHEMA, type UserResponse } from './user.mapper';

/**
 * Users of the caller's organisation. Owners and admins manage them (only owners manage owners);
 * auditors read them; members read only themselves (`/me`). The rules live in `UserService`.
 */
@ApiTags('Users')
@ApiBearerAuth()
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UserService) {}

  @Post()
  @ApiOperation({ operationId: 'createUser', summary: 'Create a user with a role; the generated one-time `password` is returned only here (owners, admins; only owners create owners; 409 if the email is taken)' })
  @ApiBody({ schema: CREATE_USER_BODY_SCHEMA })
  @ApiCreatedResponse({ schema: CREATED_USER_RESPONSE_SCHEMA })
  async create(@CurrentPrincipal() p: Principal | undefined, @Body() body: unknown): Promise<UserResponse & { password: string }> {
    const actor = requireActor(p);
    const { user, password } = await this.users.create(actor, parseCreateUserBody(body));
    return { ...toUserResponse(user), password };
  }

  @Get()
  @ApiOperation({ operationId: 'listUsers', summary: "The organisation's users (owners, admins, auditors)" })
  @ApiOkResponse({ schema: { type: 'object', properties: { data: { type: 'array', items: USER_RESPONSE_SCHEMA } } } })
  async list(@CurrentPrincipal() p: Principal | undefined): Promise<{ data: UserResponse[] }> {
    return { data: (await this.users.list(requireActor(p))).map(toUserResponse) };
  }

  @Get('me')
  @ApiOperation({ operationId: 'getCurrentUser', summary: 'The caller’s own profile (every role)' })
  @ApiOkResponse({ schema: USER_RESPONSE_SCHEMA })
  async me(@CurrentPrincipal() p: Principal | undefined): Promise<UserResponse> {
    const actor = requireActor(p);
    return toUserResponse(await this.users.get(actor, actor.userId ?? ''));
  }

  @Post('me/password')
  @HttpCode(200)
  @ApiOperation({ operationId: 'changePassword', summary: 'Change the caller’s password; every other login token stops working, a new one is returned (400 invalid_current_password)' })
  @ApiBody({ schema: CHANGE_PASSWORD_BODY_SCHEMA })
  @ApiOkResponse({ schema: TOKEN_RESPONSE_SCHEMA })
  async changePassword(@CurrentPrincipal() p: Principal | undefined, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenResponse> {
    const { current_password, new_password } = parseChangePasswordBody(body);
    try {
      return await this.users.changePassword(requireActor(p), current_password, new_password);
    } catch (err) {
      if (isIdentityError(err) && err.retryAfterSeconds) void reply.header('retry-after', String(err.retryAfterSeconds));
      throw err;
    }
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getUser', summary: 'One user of the organisation (owners, admins, auditors; 404 outside the organisation)' })
  @ApiOkResponse({ schema: USER_RESPONSE_SCHEMA })
  async get(@CurrentPrincipal() p: Principal | undefined, @Param('id') id: string): Promise<UserResponse> {
    return toUserResponse(await this.users.get(requireActor(p), id));
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateUser', summary: 'Change the role and/or disable/enable; takes effect at the next request on every replica (409 last_owner)' })
  @ApiBody({ schema: UPDATE_USER_BODY_SCHEMA })
  @ApiOkResponse({ schema: USER_RESPONSE_SCHEMA })
  async update(@CurrentPrincipal() p: Principal | undefined, @Param('id') id: string, @Body() body: unknown): Promise<UserResponse> {
    const actor = requireActor(p);
    return toUserResponse(await this.users.update(actor, id, parseUpdateUserBody(body)));
  }

  @Delete(':id')
  @ApiOperation({ operationId: 'deleteUser', summary: 'Delete a user and their API keys, effective at the next request on every replica (409 last_owner)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { id: { type: 'string' }, deleted: { type: 'boolean', enum: [true] } } } })
  async remove(@CurrentPrincipal() p: Principal | undefined, @Param('id') id: string): Promise<{ id: string; deleted: true }> {
    await this.users.delete(requireActor(p), id);
    return { id, deleted: true };
  }
}
