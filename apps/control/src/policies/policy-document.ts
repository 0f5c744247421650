import { IdentityError, managesOrganization, readsOrganization, type Actor } from '@gw/identity';
import { compilePolicy, isPolicyId, PolicyValidationError, slugifyPolicyName, type HistoryActor, type PolicyIssue } from '@gw/policy';

export const ID_RULE = "a stored policy's id is a lower-case slug: [a-z0-9][a-z0-9_.-]{0,127}";
/** The stored policy a Gen-1 `config` without its own `policy_id` is saved as (the spec's example id). */
export const DEFAULT_CONFIG_POLICY_ID = 'policy-gateway';

/** A validated document and the id it is stored under. */
export interface PreparedPolicy {
  policyId: string;
  json: string;
  generation: 1 | 2;
  name: string | null;
}

export function requireWriter(actor: Actor): void {
  if (!managesOrganization(actor.role)) throw IdentityError.forbidden('Only owners and admins manage policies');
}

export function requireReader(actor: Actor): void {
  if (!readsOrganization(actor.role)) throw IdentityError.forbidden('Members cannot read stored policies');
}

/** The revision history's `actor` of a management call (these routes take user JWTs). */
export const historyActor = (actor: Actor): HistoryActor => ({ kind: 'user', id: actor.userId });

const fieldsOf = (doc: unknown): Record<string, unknown> => (doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {});

/** The id the document asks for, and what is wrong with it (reported with the document's own issues). */
function idOf(doc: unknown, urlId: string | null): { id: string | null; issues: PolicyIssue[] } {
  const fields = fieldsOf(doc);
  const own = fields.policy_id;
  if (typeof own === 'string') {
    if (!isPolicyId(own)) return { id: null, issues: [{ path: '/policy_id', message: ID_RULE }] };
    if (urlId !== null && own !== urlId) return { id: null, issues: [{ path: '/policy_id', message: `'${own}' does not match the id in the URL ('${urlId}')` }] };
    return { id: own, issues: [] };
  }
  if (urlId !== null || typeof fields.name !== 'string') return { id: urlId, issues: [] };
  const slug = slugifyPolicyName(fields.name);
  return slug ? { id: slug, issues: [] } : { id: null, issues: [{ path: '/name', message: 'no policy_id, and no id can be derived from this name (it needs a letter or digit)' }] };
}

/** Validates a document (every issue at once, the id's included) exactly as the inference side will compile it. */
export function preparePolicy(doc: unknown, urlId: string | null): PreparedPolicy {
  const { id, issues } = idOf(doc, urlId);
  const json = JSON.stringify(doc) ?? '';
  let model;
  try {
    model = compilePolicy(doc, { sizeBytes: Buffer.byteLength(json) }).model;
  } catch (err) {
    if (err instanceof PolicyValidationError) throw new PolicyValidationError([...err.issues, ...issues.filter((i) => !err.issues.some((e) => e.path === i.path))]);
    throw err;
  }
  if (issues.length > 0) throw new PolicyValidationError(issues);
  if (id === null) throw new PolicyValidationError([{ path: '/policy_id', message: 'required when the document has no name (Gen-1: policy_id; Gen-2: name or policy_id)' }]);
  return { policyId: id, json, generation: model.generation, name: model.name };
}

/**
 * The body of `POST /api/policy-gateway/config`, `{config: PolicyConfig}`: a Gen-1 document only (Gen 2 is
 * recognised by its own `config` object and refused, pointing at the policies API). Issues point into the body
 * (`/config/rules/denylist`), so the same `invalid_policy` 400 as the policies API, one level down.
 */
export function prepareConfig(body: unknown): PreparedPolicy & { document: Record<string, unknown> } {
  const fields = fieldsOf(body);
  const unknown = Object.keys(fields).filter((k) => k !== 'config');
  const config = fields.config;
  const issues: PolicyIssue[] = unknown.map((k) => ({ path: `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, message: 'unknown field (the body is {"config": PolicyConfig})' }));
  if (config === undefined) issues.unshift({ path: '/config', message: 'required: the Gen-1 PolicyConfig to save' });
  else if (config === null || typeof config !== 'object' || Array.isArray(config)) issues.unshift({ path: '/config', message: 'must be a Gen-1 PolicyConfig object' });
  else if ('config' in config) {
    issues.unshift({ path: '/config', message: 'a Gen-2 Policy document (it has a `config` object); this endpoint saves Gen-1 PolicyConfig documents. Save Gen-2 policies with PUT /api/policy-gateway/policies/{id}' });
  }
  if (issues.length > 0) throw new PolicyValidationError(issues);
  const doc = config as Record<string, unknown>;
  try {
    const prepared = preparePolicy(doc, typeof doc.policy_id === 'string' ? doc.policy_id : DEFAULT_CONFIG_POLICY_ID);
    return { ...prepared, document: doc };
  } catch (err) {
    if (err instanceof PolicyValidationError) throw new PolicyValidationError(err.issues.map((i) => ({ ...i, path: `/config${i.path}` })));
    throw err;
  }
}
