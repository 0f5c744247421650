/** The control-plane endpoints under fuzz. `/api/users` is probed at run time and skipped while it does not exist. */
import type { Rng } from './prng';
import type { EndpointSpec, FuzzContext, JsonObject } from './types';

function okJson(check: (v: Record<string, unknown>) => boolean, what: string) {
  return (body: string): string | undefined => {
    try {
      const v = JSON.parse(body) as Record<string, unknown>;
      return v !== null && typeof v === 'object' && check(v) ? undefined : `2xx body without ${what}`;
    } catch {
      return `2xx body is not JSON`;
    }
  };
}

const control = {
  plane: 'control' as const,
  envelope: 'control' as const,
  audited: false,
  arrayFields: [],
};

const login: EndpointSpec = {
  ...control,
  name: 'login',
  path: '/api/auth/login',
  auth: 'none',
  // Login takes no credential (no auth cases), and every well-formed login costs an argon2 verify (~25 ms of CPU,
  // the dominant cost of the control phase): valid ones are kept rarer than elsewhere.
  weights: { auth: 0, valid: 5 },
  // Mostly wrong passwords and unknown users; a few correct ones (each is one argon2 verify, so they are kept rare).
  base(rng: Rng, ctx: FuzzContext) {
    if (rng.chance(0.25)) return { email: ctx.email, password: ctx.password };
    return { email: rng.chance(0.5) ? ctx.email : `nobody${rng.int(1e6)}@fuzz.example`, password: `wrong-${rng.int(1e6)}` };
  },
  mustServe: (b, ctx) => b.email === ctx.email && b.password === ctx.password,
  integerFields: [],
  objectFields: [],
  deepSites: [{ name: 'unknown field', put: (b, d) => void (b.zz = d) }],
  checkOk: okJson((v) => typeof v.access_token === 'string', 'access_token'),
};

const keys: EndpointSpec = {
  ...control,
  name: 'keys',
  path: '/api/keys',
  auth: 'jwt',
  base(rng: Rng) {
    const b: JsonObject = { label: `fuzz key ${rng.int(1e6)}` };
    if (rng.chance(0.4)) b.rate_limit_per_minute = 1 + rng.int(1000);
    if (rng.chance(0.3)) b.expires_at = new Date(Date.now() + 86_400_000 * (1 + rng.int(30))).toISOString();
    return b;
  },
  integerFields: [['rate_limit_per_minute']],
  objectFields: [],
  deepSites: [{ name: 'label', put: (b, d) => void (b.label = d) }],
  checkOk: okJson((v) => typeof v.key === 'string' && v.key.startsWith('ak_'), 'key'),
};

const grants: EndpointSpec = {
  ...control,
  name: 'grants',
  path: '/api/credits/grants',
  auth: 'jwt',
  base: (rng: Rng) => ({ credits: 1 + rng.int(1000) }),
  integerFields: [['credits']],
  objectFields: [],
  deepSites: [{ name: 'credits', put: (b, d) => void (b.credits = d) }],
  checkOk: okJson((v) => typeof v.balance === 'number', 'balance'),
};

/** Issue 8's users API (being built): create a user with a role; the body shape follows the issue. */
const users: EndpointSpec = {
  ...control,
  name: 'users',
  path: '/api/users',
  auth: 'jwt',
  base: (rng: Rng, ctx: FuzzContext, index: number) => ({ email: `u${index}-${ctx.runTag}@fuzz.example`, role: rng.pick(['admin', 'auditor', 'member']) }),
  integerFields: [],
  objectFields: [],
  deepSites: [{ name: 'role', put: (b, d) => void (b.role = d) }],
  checkOk: okJson(() => true, 'a JSON object'),
};

export const CONTROL_ENDPOINTS: EndpointSpec[] = [login, keys, grants, users];
