import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapOrganization, type BootstrapResult } from '@gw/identity';
import { grantCredits } from '@gw/metering';
import type { Runtime } from './runtime';

/**
 * Embedded default, first start: creates an organisation, its owner and an API key with
 * BOOTSTRAP_CREDITS credits when the database holds no organisation yet, and keeps the result (with
 * the one-time key and password) in `<DATA_DIR>/bootstrap.json` (0600). Returns null when skipped.
 */
export async function bootstrapOnFirstRun(rt: Runtime): Promise<BootstrapResult | null> {
  const result = await bootstrapOrganization(rt.dataSource, {
    org: 'Default organisation',
    email: 'admin@gateway.local',
    credits: rt.config.env.BOOTSTRAP_CREDITS,
    ifEmpty: true,
    keyLabel: 'bootstrap',
    grantCredits: ({ manager, orgId, userId, credits }) => grantCredits(manager, orgId, credits, userId),
  });
  if ('skipped' in result) return null;
  writeFileSync(join(rt.config.dataDir, 'bootstrap.json'), `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
  return result;
}
