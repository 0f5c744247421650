/** Roles of a user inside its organisation (architecture "Contract decisions"). */
export const ROLES = ['owner', 'admin', 'auditor', 'member'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Owners and admins manage every key of their organisation. */
export function managesOrganization(role: Role): boolean {
  return role === 'owner' || role === 'admin';
}

/** Owners, admins and auditors may read every key of their organisation. */
export function readsOrganization(role: Role): boolean {
  return role !== 'member';
}

/**
 * Whether a user of role `actor` may create, change, disable or delete a user whose role is (or
 * becomes) `target`: owners manage everyone; admins everyone but owners (so an admin can neither
 * mint an owner nor demote, disable or delete one); auditors and members nobody.
 */
export function managesRole(actor: Role, target: Role): boolean {
  if (actor === 'owner') return true;
  return actor === 'admin' && target !== 'owner';
}
