import type { ProjectFields } from '@gw/policy';
import { bodyValidator } from '../users/body-validator';

const quota = {
  type: ['object', 'null'],
  description: 'Requests and tokens per calendar window (QUOTA_TIMEZONE); 0 = no limit in that dimension',
  additionalProperties: false,
  required: ['requests', 'tokens', 'window'],
  properties: {
    requests: { type: 'integer', minimum: 0, maximum: 1e15 },
    tokens: { type: 'integer', minimum: 0, maximum: 1e15 },
    window: { type: 'string', enum: ['daily', 'weekly', 'monthly'] },
  },
};
const HOST = '^(\\*\\.)?[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$';
const domains = { type: 'array', maxItems: 1000, items: { type: 'string', maxLength: 253, pattern: HOST } };
const webTools = {
  type: ['object', 'null'],
  additionalProperties: false,
  required: ['enabled'],
  properties: { enabled: { type: 'boolean' }, allowed_domains: domains, blocked_domains: domains },
};
const mutable = {
  name: { type: 'string', minLength: 1, maxLength: 200, format: 'plain-text' },
  description: { type: ['string', 'null'], maxLength: 2000, format: 'plain-text' },
  status: { type: 'string', enum: ['active', 'disabled'] },
  policy_id: { type: ['string', 'null'], pattern: '^[a-z0-9][a-z0-9_.-]{0,127}$' },
  budget: quota,
  user_quota: quota,
  web_tools: webTools,
};

export const CREATE_PROJECT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    ...mutable,
    project_id: { type: 'string', pattern: '^proj_[a-z0-9][a-z0-9_]{0,62}$' },
    monthly_token_limit: { type: 'integer', minimum: 0, maximum: 1e15, description: 'Gen-1 alias: budget.tokens with a monthly window' },
    monthly_request_limit: { type: 'integer', minimum: 0, maximum: 1e15, description: 'Gen-1 alias: budget.requests with a monthly window' },
  },
};
export const PATCH_PROJECT_SCHEMA = { type: 'object', additionalProperties: false, minProperties: 1, properties: mutable };
export const CREATE_KEY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['label'],
  properties: { label: { type: 'string', minLength: 1, maxLength: 200, format: 'plain-text' } },
};

type Quota = { requests: number; tokens: number; window: 'daily' | 'weekly' | 'monthly' } | null;
type WebToolsBody = { enabled: boolean; allowed_domains?: string[]; blocked_domains?: string[] } | null;
interface MutableBody {
  name?: string;
  description?: string | null;
  status?: 'active' | 'disabled';
  policy_id?: string | null;
  budget?: Quota;
  user_quota?: Quota;
  web_tools?: WebToolsBody;
}
interface CreateBody extends MutableBody {
  name: string;
  project_id?: string;
  monthly_token_limit?: number;
  monthly_request_limit?: number;
}

export const parseCreateProject = bodyValidator<CreateBody>(CREATE_PROJECT_SCHEMA);
export const parsePatchProject = bodyValidator<MutableBody>(PATCH_PROJECT_SCHEMA);
export const parseCreateKey = bodyValidator<{ label: string }>(CREATE_KEY_SCHEMA);

const tools = (w: WebToolsBody | undefined) => (w ? { enabled: w.enabled, allowed_domains: w.allowed_domains ?? [], blocked_domains: w.blocked_domains ?? [] } : null);

/** The fields a create sets; the Gen-1 monthly limits become the budget (both at once is ambiguous: a 400). */
export function createFields(b: CreateBody, invalid: (message: string, param: string) => Error): ProjectFields {
  const gen1 = b.monthly_token_limit !== undefined || b.monthly_request_limit !== undefined;
  if (gen1 && b.budget !== undefined) throw invalid("Send either 'budget' or the Gen-1 'monthly_token_limit'/'monthly_request_limit', not both", 'budget');
  const budget = gen1 ? { requests: b.monthly_request_limit ?? 0, tokens: b.monthly_token_limit ?? 0, window: 'monthly' as const } : (b.budget ?? null);
  return {
    name: b.name,
    description: b.description ?? null,
    status: b.status ?? 'active',
    policyId: b.policy_id ?? null,
    budget,
    userQuota: b.user_quota ?? null,
    webTools: tools(b.web_tools),
  };
}

/** The current fields with a PATCH's changes applied (absent = unchanged; null clears a nullable field). */
export function patchedFields(current: ProjectFields, b: MutableBody): ProjectFields {
  return {
    name: b.name ?? current.name,
    description: b.description !== undefined ? b.description : current.description,
    status: b.status ?? current.status,
    policyId: b.policy_id !== undefined ? b.policy_id : current.policyId,
    budget: b.budget !== undefined ? b.budget : current.budget,
    userQuota: b.user_quota !== undefined ? b.user_quota : current.userQuota,
    webTools: b.web_tools !== undefined ? tools(b.web_tools) : current.webTools,
  };
}
