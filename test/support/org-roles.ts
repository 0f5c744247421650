import assert from 'node:assert/strict';
import { bootstrapCli } from './bootstrap';
import { http } from './metering-e2e';

export type Role = 'owner' | 'admin' | 'auditor' | 'member';

/** An organisation with one user of each role, logged in: what the audit e2e suites scope their checks with. */
export interface OrgWithRoles {
  id: string;
  /** The bootstrap API key (plaintext). */
  apiKey: string;
  tokens: Record<Role, string>;
}

/**
 * Bootstraps `name` (owner `owner@<name>.test`, 100,000 credits) in the database at `dbUrl`, then creates and logs in
 * an admin, an auditor and a member through the control API at `controlUrl`.
 */
export async function orgWithRoles(controlUrl: string, dbUrl: string, name: string): Promise<OrgWithRoles> {
  const boot = await bootstrapCli({ DATABASE_URL: dbUrl }, ['--org', name, '--email', `owner@${name}.test`, '--credits', '100000']);
  const login = async (email: string, password: string) => (await http(`${controlUrl}/api/auth/login`, { body: { email, password } })).body.access_token as string;
  const tokens = { owner: await login(boot.user.email, boot.password) } as Record<Role, string>;
  for (const role of ['admin', 'auditor', 'member'] as const) {
    const res = await http(`${controlUrl}/api/users`, { method: 'POST', token: tokens.owner, body: { email: `${role}@${name}.test`, role } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    tokens[role] = await login(`${role}@${name}.test`, res.body.password as string);
  }
  return { id: boot.organization.id, apiKey: boot.api_key.key, tokens };
}
