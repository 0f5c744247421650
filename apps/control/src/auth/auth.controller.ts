import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditActions } from '@gw/audit';
import { isIdentityError, LoginService, Public, type TokenResponse } from '@gw/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LOGIN_BODY_SCHEMA, parseLoginBody, TOKEN_RESPONSE_SCHEMA } from './login.schema';

@ApiTags('Auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly login: LoginService,
    private readonly audit: AuditActions,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ operationId: 'login', summary: 'Email + password → short-lived bearer token (401 invalid_credentials, 429 after repeated failures)' })
  @ApiBody({ schema: LOGIN_BODY_SCHEMA })
  @ApiOkResponse({ schema: TOKEN_RESPONSE_SCHEMA })
  async create(@Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenResponse> {
    const { email, password } = parseLoginBody(body);
    try {
      const token = await this.login.login(email, password, req.ip);
      const claims = tokenClaims(token.access_token);
      await this.audit.record({ eventType: 'auth', orgId: claims.org, principal: { kind: 'user', keyId: null, userId: claims.sub }, action: 'login', outcome: 'success', details: { ip: req.ip } });
      return token;
    } catch (err) {
      if (isIdentityError(err) && err.retryAfterSeconds) void reply.header('retry-after', String(err.retryAfterSeconds));
      // The organisation of a failed login is unknown (the email may not exist): the event goes to the chain of no
      // organisation, with the email's domain only (the address is personal data and a password guess may be in it).
      const outcome = isIdentityError(err) && err.retryAfterSeconds ? 'throttled' : 'failure';
      await this.audit.record({ eventType: 'auth', orgId: null, principal: { kind: 'anonymous', keyId: null, userId: null }, action: 'login', outcome, details: { ip: req.ip, email_domain: email.split('@').pop()?.slice(0, 255) ?? '' } });
      throw err;
    }
  }
}

/** `sub` and `org` of a token this process just signed (no verification needed: it never left the process). */
function tokenClaims(jwt: string): { sub: string | null; org: string | null } {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub?: unknown; org?: unknown };
  return { sub: typeof payload.sub === 'string' ? payload.sub : null, org: typeof payload.org === 'string' ? payload.org : null };
}
