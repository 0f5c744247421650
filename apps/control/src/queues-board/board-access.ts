import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { isIdentityError, OrganizationEntity, type TokenService, type UserPrincipal } from '@gw/identity';

export const BOARD_PATH = '/admin/queues';
export const BOARD_COOKIE = 'gw_queue_board';
const ROLES = new Set(['owner', 'admin']);

function tokenOf(req: FastifyRequest): string | null {
  const auth = req.headers.authorization;
  const bearer = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
  if (bearer) return bearer;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== BOARD_COOKIE) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return null; // not a token we set
    }
  }
  return null;
}

/** The control API's envelope. Sent here, not thrown: a hook's error would reach Fastify's or Bull Board's renderer. */
const refuse = (reply: FastifyReply, status: 401 | 403 | 503, message: string, code: string) => {
  if (status === 503) void reply.header('retry-after', '1');
  const type = status === 503 ? 'server_error' : 'invalid_request_error';
  return reply.status(status).header('cache-control', 'no-store').send({ error: { message, type, param: null, code } });
};
const UNAVAILABLE = 'Authentication is temporarily unavailable; retry shortly';

/** `url` without any `token` query parameter. */
function withoutToken(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const params = new URLSearchParams(url.slice(at + 1));
  params.delete('token');
  const rest = params.toString();
  return url.slice(0, at) + (rest ? `?${rest}` : '');
}

/**
 * Who may open the queue view: an owner or admin of the operator organisation, by a login token (the control API's
 * `Authorization: Bearer`, or the board's cookie). Queue jobs hold records of every organisation, so a tenant's own
 * owner is not enough: the operator organisation is QUEUE_BOARD_ORG_ID, else the first organisation created (the
 * one the first start or `ops orgs create` made). A browser opens `/admin/queues?token=<login token>` once: the
 * token becomes an HttpOnly, SameSite=Strict cookie scoped to the board, and the page reloads without it in the URL.
 */
export class BoardAccess {
  private readonly log = new Logger('QueueBoard');
  private operatorOrg: string | undefined;

  constructor(
    private readonly tokens: TokenService,
    private readonly ds: DataSource,
    configuredOrg: string | undefined,
  ) {
    this.operatorOrg = configuredOrg;
  }

  readonly check = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const query = req.query as Record<string, unknown> | undefined;
    const fromQuery = typeof query?.token === 'string' ? query.token : null;
    // The access log and the error logs read the URL when the response closes: never with a login token in it.
    if (query?.token !== undefined) req.raw.url = withoutToken(req.raw.url ?? req.url);
    const token = fromQuery ?? tokenOf(req);
    if (!token) return void (await refuse(reply, 401, `The queue view needs an owner or admin login: send "Authorization: Bearer <token>" or open ${BOARD_PATH}?token=<token>.`, 'missing_credentials'));
    let principal: UserPrincipal;
    let operator: string | undefined;
    try {
      principal = await this.tokens.verify(token);
      operator = await this.operator();
    } catch (err) {
      // A refused token is a 401; a store that cannot be read (an identity 503, or a raw database error) is a 503.
      if (isIdentityError(err) && err.status === 401) return void (await refuse(reply, 401, 'Invalid or expired login token.', 'invalid_token'));
      this.log.warn(`queue view: identity store unavailable: ${err instanceof Error ? err.message : String(err)}`);
      return void (await refuse(reply, 503, UNAVAILABLE, 'service_unavailable'));
    }
    if (!ROLES.has(principal.role) || principal.orgId !== operator) {
      return void (await refuse(reply, 403, "The queue view holds every organisation's jobs: only owners and admins of the operator organisation may open it.", 'permission_denied'));
    }
    if (fromQuery) {
      const secure = req.protocol === 'https' ? '; Secure' : '';
      await reply
        .header('set-cookie', `${BOARD_COOKIE}=${encodeURIComponent(token)}; Path=${BOARD_PATH}; HttpOnly; SameSite=Strict${secure}`)
        .header('cache-control', 'no-store')
        .redirect(req.url || BOARD_PATH, 303);
    }
  };

  private async operator(): Promise<string | undefined> {
    this.operatorOrg ??= (await this.ds.getRepository(OrganizationEntity).find({ order: { createdAt: 'ASC' }, take: 1 }))[0]?.id;
    return this.operatorOrg;
  }
}
