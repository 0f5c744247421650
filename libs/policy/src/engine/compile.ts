import { createHash } from 'node:crypto';
import { parsePolicy } from './document/parse-policy';
import type { PolicyModel } from './model';
import { TermMatcher } from './term-matcher';
import type { PiiType } from './types';

/**
 * A policy ready to evaluate: matchers built once per policy version (an automaton over 10,000 terms takes
 * milliseconds to build and microseconds to run). Immutable; share it across requests.
 */
export interface CompiledPolicy {
  readonly model: PolicyModel;
  /** Stable identity of this exact policy version: the cache key, and the seed of sticky canary sampling. */
  readonly key: string;
  /** The stored policy's id and version, when it came from the store (inline policies have neither). */
  readonly policyId: string;
  readonly version: number | null;
  readonly allow: TermMatcher | null;
  readonly deny: TermMatcher | null;
  /** Detectors to run: the redaction types when redaction is on, plus the `pii/*` categories. */
  readonly piiTypes: ReadonlySet<PiiType>;
  readonly needsClassifier: boolean;
}

export interface CompileOptions {
  /** The store's id and version (stored policies); absent for inline ones. */
  policyId?: string;
  version?: number;
  /** The document's size in bytes, when the caller has its raw text. */
  sizeBytes?: number;
}

/** Validates (throwing `PolicyValidationError` with every bad path) and compiles a policy document. */
export function compilePolicy(doc: unknown, opts: CompileOptions = {}): CompiledPolicy {
  const model = parsePolicy(doc, opts.sizeBytes);
  const key = opts.policyId !== undefined ? `stored:${opts.policyId}@${opts.version ?? 0}` : `inline:${policyHash(doc)}`;
  return compileModel(model, key, opts.policyId ?? model.policyId ?? 'inline', opts.version ?? null);
}

export function compileModel(model: PolicyModel, key: string, policyId: string, version: number | null): CompiledPolicy {
  const pii = new Set<PiiType>(model.piiCategories);
  if (model.redact) for (const t of model.piiTypes) pii.add(t);
  return {
    model,
    key,
    policyId,
    version,
    allow: model.allowlist.length > 0 ? TermMatcher.build(model.allowlist) : null,
    deny: model.denylist.length > 0 ? TermMatcher.build(model.denylist) : null,
    piiTypes: pii,
    needsClassifier: model.categories.length > 0,
  };
}

/** SHA-256 of a document's JSON (inline policies are cached by it). */
export function policyHash(doc: unknown): string {
  return createHash('sha256').update(JSON.stringify(doc)).digest('base64url');
}
