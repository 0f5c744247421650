/**
 * Issue 10 rungs: the S4 ladder's project keys. Written straight into the gateway's database (production.sh has no
 * reachable control port), as the control API would: the bench policy stored as version 1, two projects linking it
 * (one without quotas, one with a user quota and a project budget too large to be reached), and one project key
 * each. Idempotent per run: every run makes its own ids, so earlier runs' keys and counters never interfere.
 */
import { Client } from 'pg';
import { generateApiKey, hashApiKey, previewApiKey } from '@gw/identity';
import { BENCH_POLICY } from '../scenarios/s5-summary';

export interface BenchProjectKeys {
  /** Project linking the bench policy, no quotas. */
  plain: string;
  /** The same policy, with a per-user quota and a project budget (both held and settled on every call). */
  quota: string;
}

const BIG = { requests: 1_000_000_000, tokens: 1_000_000_000_000, window: 'monthly' };

export async function benchProjectKeys(databaseUrl: string): Promise<BenchProjectKeys> {
  const pg = new Client({ connectionString: databaseUrl, application_name: 'bench-s4' });
  await pg.connect();
  try {
    const { rows } = await pg.query<{ org_id: string }>('SELECT org_id FROM credit_account ORDER BY balance DESC LIMIT 1');
    const orgId = rows[0]?.org_id;
    if (!orgId) throw new Error('no credit account in the gateway database');
    const run = Date.now().toString(36);
    const policyId = `bench-${run}`;
    const doc = JSON.stringify({ ...BENCH_POLICY, policy_id: policyId });
    await pg.query('BEGIN');
    await pg.query(`INSERT INTO policy (org_id, policy_id, name, latest_version) VALUES ($1, $2, $2, 1)`, [orgId, policyId]);
    await pg.query(`INSERT INTO policy_version (org_id, policy_id, version, document, generation, name, size_bytes) VALUES ($1, $2, 1, $3::jsonb, 2, $2, $4)`, [
      orgId,
      policyId,
      doc,
      Buffer.byteLength(doc),
    ]);
    const keys: Record<string, string> = {};
    for (const [name, quotas] of [
      ['plain', { budget: null, user_quota: null }],
      ['quota', { budget: BIG, user_quota: BIG }],
    ] as const) {
      const projectId = `proj_bench_${name}_${run}`;
      await pg.query(`INSERT INTO project (org_id, project_id, name, policy_id, budget, user_quota) VALUES ($1, $2, $2, $3, $4::jsonb, $5::jsonb)`, [
        orgId,
        projectId,
        policyId,
        JSON.stringify(quotas.budget),
        JSON.stringify(quotas.user_quota),
      ]);
      const key = generateApiKey();
      await pg.query(`INSERT INTO api_key (org_id, label, key_hash, key_preview, project_id) VALUES ($1, $2, $3, $4, $5)`, [orgId, `bench ${name}`, hashApiKey(key), previewApiKey(key), projectId]);
      keys[name] = key;
    }
    await pg.query('COMMIT');
    return { plain: keys.plain, quota: keys.quota };
  } catch (err) {
    await pg.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await pg.end().catch(() => undefined);
  }
}
