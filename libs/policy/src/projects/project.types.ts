import type { QuotaSpec } from '../engine';

/** A project's server-side web tool settings (spec §3.9): stored, validated and returned; enforced later. */
export interface WebTools {
  enabled: boolean;
  allowed_domains: string[];
  blocked_domains: string[];
}

/** The mutable fields of a project (a create sets them all; a PATCH any subset). */
export interface ProjectFields {
  name: string;
  description: string | null;
  status: 'active' | 'disabled';
  policyId: string | null;
  budget: QuotaSpec | null;
  userQuota: QuotaSpec | null;
  webTools: WebTools | null;
}

/** One project (spec §4.1.2): binds keys to a policy and a budget. */
export interface ProjectRecord extends ProjectFields {
  orgId: string;
  projectId: string;
  /** The ETag: +1 on every change. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
}

/** A project key as listed (never its hash; the plaintext exists once, in the creation response). */
export interface ProjectKeyRecord {
  id: string;
  label: string;
  projectId: string;
  keyPreview: string;
  revoked: boolean;
  createdAt: Date;
}

const PROJECT_ID = /^proj_[a-z0-9][a-z0-9_]{0,62}$/;

export function isProjectId(id: string): boolean {
  return PROJECT_ID.test(id);
}

/** `proj_` + a slug of the name (`Support bot` → `proj_support_bot`); null when the name has no letter or digit. */
export function projectIdFromName(name: string): string | null {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 58)
    .replace(/_+$/, '');
  return slug ? `proj_${slug}` : null;
}
