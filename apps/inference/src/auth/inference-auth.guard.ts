import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { API_KEY_PREFIX, ApiKeyService, isIdentityError, TokenService, type Principal } from '@gw/identity';
import { GatewayError, GatewayErrorCode, type Payer } from '@gw/inference';
import { FreeTierClaims, freeTierDevice } from '@gw/metering';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who pays for an inference call (set by {@link InferenceAuthGuard}). */
    payer?: Payer;
  }
}

/** Generation endpoints where the anonymous free tier applies. */
const FREE_TIER_PATHS = new Set(['/v1/chat/completions', '/v1/responses', '/v1/messages']);
const ANTHROPIC_PATH = /^\/(policy\/)?(v1\/)?messages(\/|$)/;

const unavailable = (cause: unknown) =>
  new GatewayError(GatewayErrorCode.UpstreamOverloaded, 'Authentication is temporarily unavailable; retry shortly.', {
    status: 503,
    wireCode: 'service_unavailable',
    retryAfterSeconds: 1,
    cause,
  });

const unauthenticated = (message: string, wireCode = 'invalid_api_key') =>
  new GatewayError(GatewayErrorCode.Unauthenticated, message, { wireCode });

function credential(req: FastifyRequest, path: string): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) throw unauthenticated('Malformed Authorization header: expected "Bearer <key>".');
    return m[1];
  }
  const key = req.headers['x-api-key'];
  return typeof key === 'string' && key && ANTHROPIC_PATH.test(path) ? key : null;
}

function toPayer(p: Principal): Payer {
  return p.kind === 'api_key'
    ? { kind: 'api_key', orgId: p.orgId, apiKeyId: p.keyId, userId: p.userId, projectId: p.projectId }
    : { kind: 'user', orgId: p.orgId, apiKeyId: null, userId: p.userId, projectId: null };
}

/**
 * First global guard of the inference plane: every route but health and docs needs an `ak_` key or a
 * login token (`Authorization: Bearer`, or `x-api-key` on the Anthropic paths), or, on the three
 * generation endpoints, `X-Free-Tier: true|1` for one anonymous request per device.
 */
@Injectable()
export class InferenceAuthGuard implements CanActivate {
  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly tokens: TokenService,
    private readonly freeTier: FreeTierClaims,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<FastifyRequest>();
    const path = req.url.split('?', 1)[0];
    if (path.startsWith('/health/') || path === '/metrics') return true; // process infrastructure, as on the control plane
    const secret = credential(req, path);
    if (secret) {
      const principal = await this.identify(secret);
      if (!principal) throw unauthenticated('Invalid API key.');
      req.principal = principal;
      req.payer = toPayer(principal);
      return true;
    }
    const free = req.headers['x-free-tier'];
    if ((free === 'true' || free === '1') && req.method === 'POST' && FREE_TIER_PATHS.has(path)) {
      const device = freeTierDevice(req.ip, req.headers['user-agent']);
      if (!(await this.freeTier.claim(device).catch((err: unknown) => Promise.reject(unavailable(err))))) {
        throw new GatewayError(GatewayErrorCode.PaymentRequired, 'The free request of this device has been used. Create an API key to continue.', {
          wireCode: 'free_tier_exhausted',
        });
      }
      req.payer = { kind: 'free_tier', orgId: null, apiKeyId: null, userId: null, projectId: null };
      (req as { rateLimitSubject?: unknown }).rateLimitSubject = { kind: 'free_tier', id: device };
      return true;
    }
    throw unauthenticated('Missing API key: send "Authorization: Bearer ak_..." (or x-api-key on /v1/messages).', 'missing_api_key');
  }

  /**
   * A key, or a token checked against its user's current state (deleted, disabled, token version): a
   * refusal is a 401 (null); a database failure is a 503 with Retry-After, as credits answer, rather
   * than a 500 or a 401 passing for bad credentials (clients retry a 503 and never retry a 401).
   */
  private async identify(secret: string): Promise<Principal | null> {
    try {
      return secret.startsWith(API_KEY_PREFIX) ? await this.apiKeys.authenticate(secret) : await this.tokens.verify(secret);
    } catch (err) {
      if (isIdentityError(err)) return null;
      throw unavailable(err);
    }
  }
}
