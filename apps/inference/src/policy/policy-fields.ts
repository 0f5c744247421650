import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from '@gw/inference';

/** The policy fields a `/policy/*` (or, for `policy` and `flagged_categories`, a `/v1/*`) body may carry; none reach the upstream. */
export interface PolicyFields {
  policyId: string | null;
  inlinePolicy: unknown;
  policyUser: string | null;
  projectId: string | null;
  target: string | null;
  flaggedCategories: string[] | null;
}

const BODY_FIELDS = ['policy_id', 'policyId', 'policy', 'policy_user', 'policy_user_id', 'policy_project_id', 'policy_target', 'flagged_categories'] as const;
const LABEL = /^[\x20-\x7E\u00A0-\uFFFF]{1,256}$/;

function label(value: unknown, param: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !LABEL.test(value) || value.trim() === '') {
    throw GatewayError.invalid(`Invalid value for '${param}': expected a non-empty string of at most 256 printable characters.`, param);
  }
  return value;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Splits the policy fields off a request body (a shallow copy without them is what the protocol schema and the
 * upstream see) and applies the headers, which win over the body (spec §4.8). A field of the wrong type is a 400
 * naming it.
 */
export function takePolicyFields(body: unknown, headers: IncomingHttpHeaders): { body: unknown; fields: PolicyFields } {
  const none: PolicyFields = { policyId: null, inlinePolicy: undefined, policyUser: null, projectId: null, target: null, flaggedCategories: null };
  let b: Record<string, unknown> | null = null;
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && BODY_FIELDS.some((f) => f in body)) {
    b = { ...(body as Record<string, unknown>) };
    for (const f of BODY_FIELDS) delete b[f];
  }
  const src = (body ?? {}) as Record<string, unknown>;
  const flagged = src.flagged_categories;
  if (flagged !== undefined && flagged !== null && (!Array.isArray(flagged) || flagged.length > 64 || flagged.some((c) => typeof c !== 'string'))) {
    throw GatewayError.invalid("Invalid value for 'flagged_categories': expected an array of at most 64 category names.", 'flagged_categories');
  }
  if (src.policy_id !== undefined && src.policyId !== undefined && src.policy_id !== src.policyId) {
    throw GatewayError.invalid("'policy_id' and 'policyId' disagree; send one of them.", 'policy_id');
  }
  const inline = src.policy;
  if (inline !== undefined && inline !== null && (typeof inline !== 'object' || Array.isArray(inline))) {
    throw GatewayError.invalid("Invalid type for 'policy': expected an object (an inline policy document).", 'policy');
  }
  const fields: PolicyFields = {
    ...none,
    // `X-Policy-Id` is this gateway's extension for clients that can add headers but not body fields (Claude Code's
    // ANTHROPIC_CUSTOM_HEADERS, Codex's `http_headers`); like the spec's policy headers, it wins over the body.
    policyId: label(header(headers, 'x-policy-id'), 'X-Policy-Id') ?? label(src.policy_id ?? src.policyId, src.policy_id !== undefined ? 'policy_id' : 'policyId'),
    inlinePolicy: inline ?? undefined,
    policyUser: label(header(headers, 'x-policy-user'), 'X-Policy-User') ?? label(src.policy_user ?? src.policy_user_id, src.policy_user !== undefined ? 'policy_user' : 'policy_user_id'),
    projectId: label(header(headers, 'x-policy-project'), 'X-Policy-Project') ?? label(src.policy_project_id, 'policy_project_id'),
    target: label(header(headers, 'x-policy-target'), 'X-Policy-Target') ?? label(src.policy_target, 'policy_target'),
    flaggedCategories: Array.isArray(flagged) ? (flagged as string[]) : null,
  };
  return { body: b ?? body, fields };
}
