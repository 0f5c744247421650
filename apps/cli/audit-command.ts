import { AuditReader } from '@gw/audit';
import { AuditVerifyService } from '../control/src/audit/audit-verify.service';
import type { CliContext } from './cli-run';

/**
 * `audit verify`: the organisation's whole chain recomputed from the stored rows, every checkpoint signature checked,
 * the end compared with the head: the same report as `GET /api/audit/verify`. Exit 1 when the chain is broken.
 */
export async function auditVerify(ctx: CliContext, orgId: string): Promise<{ ok: boolean; result: unknown }> {
  const { ds } = await ctx.db();
  const report = await new AuditVerifyService(new AuditReader(ds)).verify(orgId, { from: null, to: null });
  return { ok: report.ok, result: report };
}
