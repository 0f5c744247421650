import { IdentityError, readsOrganization, requireActor, type Actor, type Principal } from '@gw/identity';
import type { AuditRecordPrincipal } from '@gw/audit';

/** The audit principal of a control-plane caller. */
export function auditPrincipal(p: Principal): AuditRecordPrincipal {
  return p.kind === 'user' ? { kind: 'user', keyId: null, userId: p.userId } : { kind: 'api_key', keyId: p.keyId, userId: p.userId };
}

/** Owners, admins and auditors read the audit trail of their own organisation; members get 403. */
export function requireAuditReader(p: Principal | undefined): Actor {
  const actor = requireActor(p);
  if (!readsOrganization(actor.role)) throw IdentityError.forbidden('Members cannot read the audit trail');
  return actor;
}
