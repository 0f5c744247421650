import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { isIdentityError, LoginService, Public, type TokenResponse } from '@gw/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LOGIN_BODY_SCHEMA, parseLoginBody, TOKEN_RESPONSE_SCHEMA } from './login.schema';

@ApiTags('Auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly login: LoginService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ operationId: 'login', summary: 'Email + password → short-lived bearer token (401 invalid_credentials, 429 after repeated failures)' })
  @ApiBody({ schema: LOGIN_BODY_SCHEMA })
  @ApiOkResponse({ schema: TOKEN_RESPONSE_SCHEMA })
  async create(@Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenResponse> {
    const { email, password } = parseLoginBody(body);
    try {
      return await this.login.login(email, password, req.ip);
    } catch (err) {
      if (isIdentityError(err) && err.retryAfterSeconds) void reply.header('retry-after', String(err.retryAfterSeconds));
      throw err;
    }
  }
}
