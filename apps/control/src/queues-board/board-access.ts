import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DataSource } from 'typeorm';
import { isIdentityError, OrganizationEntity, type TokenService } from '@gw/identity';

export const BOARD_PATH = '/admin/queues';
export const BOARD_COOKIE = 'gw_queue_board';
const ROLES = new Set(['owner', 'admin']);

function tokenOf(req: FastifyRequest): string | null {
  const auth = req.headers.authorization;
  const bearer = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
  if (bearer) return bearer;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === BOARD_COOKIE) return decodeURIComponent(value.join('='));
  }
  return null;
}

const refuse = (reply: FastifyReply, status: 401 | 403, message: string, code: string) =>
  reply.status(status).header('cache-control', 'no-store').send({ error: { message, type: 'invalid_request_error', param: null, code } });

/**
 * Who may open the queue view: an owner or admin of the operator organisation, by a login token (the control API's
 * `Authorization: Bearer`, or the board's cookie). Queue jobs hold records of every organisation, so a tenant's own
 * owner is not enough: the operator organisation is QUEUE_BOARD_ORG_ID, else the first organisation created (the
 * one the first start or `ops orgs create` made). A browser opens `/admin/queues?token=<login token>` once: the
 * token becomes an HttpOnly, SameSite=Strict cookie scoped to the board, and the page reloads without it in the URL.
 */
export class BoardAccess {
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
    const token = fromQuery ?? tokenOf(req);
    if (!token) return void (await refuse(reply, 401, `The queue view needs an owner or admin login: send "Authorization: Bearer <token>" or open ${BOARD_PATH}?token=<token>.`, 'missing_credentials'));
    let principal;
    try {
      principal = await this.tokens.verify(token);
    } catch (err) {
      if (isIdentityError(err) && err.status === 503) throw err;
      return void (await refuse(reply, 401, 'Invalid or expired login token.', 'invalid_token'));
    }
    if (!ROLES.has(principal.role) || principal.orgId !== (await this.operator())) {
      return void (await refuse(reply, 403, "The queue view holds every organisation's jobs: only owners and admins of the operator organisation may open it.", 'permission_denied'));
    }
    if (fromQuery) {
      const secure = req.protocol === 'https' ? '; Secure' : '';
      const clean = req.url.replace(/([?&])token=[^&]*&?/, '$1').replace(/[?&]$/, '');
      await reply
        .header('set-cookie', `${BOARD_COOKIE}=${encodeURIComponent(token)}; Path=${BOARD_PATH}; HttpOnly; SameSite=Strict${secure}`)
        .header('cache-control', 'no-store')
        .redirect(clean || BOARD_PATH, 303);
    }
  };

  private async operator(): Promise<string | undefined> {
    this.operatorOrg ??= (await this.ds.getRepository(OrganizationEntity).find({ order: { createdAt: 'ASC' }, take: 1 }))[0]?.id;
    return this.operatorOrg;
  }
}
