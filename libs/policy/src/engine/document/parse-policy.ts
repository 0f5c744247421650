import Ajv, { type ErrorObject } from 'ajv';
import type { PolicyModel } from '../model';
import { termTokenCount } from '../term-matcher';
import { GEN1_SCHEMA, GEN2_SCHEMA, POLICY_LIMITS } from './schemas';
import { fromGen1, fromGen2 } from './to-model';
import type { Gen1Doc, Gen2Doc } from './wire';

/** One problem in a policy document: a JSON pointer into it and what is wrong there. */
export interface PolicyIssue {
  path: string;
  message: string;
}

/** An invalid policy document: every bad field, not just the first (a 400 listing them all). */
export class PolicyValidationError extends Error {
  constructor(readonly issues: PolicyIssue[]) {
    const shown = issues.slice(0, 20).map((i) => `${i.path || '/'}: ${i.message}`);
    if (issues.length > 20) shown.push(`… and ${issues.length - 20} more`);
    super(`Invalid policy: ${shown.join('; ')}`);
    this.name = 'PolicyValidationError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
const validateGen1 = ajv.compile(GEN1_SCHEMA);
const validateGen2 = ajv.compile(GEN2_SCHEMA);

/**
 * Validates a policy document of either generation and normalises it to the one internal model. Throws
 * {@link PolicyValidationError} listing every bad path. Gen 2 is recognised by its `config` object.
 */
export function parsePolicy(doc: unknown, sizeBytes?: number): PolicyModel {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new PolicyValidationError([{ path: '', message: 'a policy must be a JSON object' }]);
  const bytes = sizeBytes ?? Buffer.byteLength(JSON.stringify(doc));
  if (bytes > POLICY_LIMITS.documentBytes) {
    throw new PolicyValidationError([{ path: '', message: `the document is ${bytes} bytes; the limit is ${POLICY_LIMITS.documentBytes} bytes (1 MiB)` }]);
  }
  const gen2 = 'config' in doc;
  const validate = gen2 ? validateGen2 : validateGen1;
  const issues = validate(doc) ? [] : (validate.errors ?? []).map(issueOf);
  if (issues.length === 0) {
    const rules = gen2 ? (doc as Gen2Doc).config.rules : (doc as Gen1Doc).rules;
    const base = gen2 ? '/config/rules' : '/rules';
    for (const list of ['allowlist', 'denylist'] as const) {
      rules?.[list]?.forEach((term, i) => {
        if (termTokenCount(term) === 0) issues.push({ path: `${base}/${list}/${i}`, message: 'the term is empty once normalised (whitespace or invisible characters only)' });
      });
    }
  }
  if (issues.length > 0) throw new PolicyValidationError(dedupe(issues));
  return gen2 ? fromGen2(doc as Gen2Doc) : fromGen1(doc);
}

function issueOf(e: ErrorObject): PolicyIssue {
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: `${e.instancePath}/${String(e.params.additionalProperty)}`, message: 'unknown field' };
    case 'required':
      return { path: `${e.instancePath}/${String(e.params.missingProperty)}`, message: 'required' };
    case 'maxItems':
      return { path: e.instancePath, message: `too many items; the limit is ${String(e.params.limit)}` };
    case 'maxLength':
      return { path: e.instancePath, message: `longer than ${String(e.params.limit)} characters` };
    case 'enum':
      return { path: e.instancePath, message: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { path: e.instancePath, message: e.message ?? 'invalid' };
  }
}

/** `anyOf` reports each branch's failure and then its own; one line per path is enough. */
function dedupe(issues: PolicyIssue[]): PolicyIssue[] {
  const seen = new Map<string, PolicyIssue>();
  for (const i of issues) if (!seen.has(i.path) || i.message.startsWith('must match')) seen.set(i.path, i);
  return [...seen.values()];
}
