import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { CONNECTOR_SCHEMAS, FORMAT_DESCRIPTIONS, FORMATS } from './connector-schemas';
import { CONNECTOR_KINDS, type ConnectorConfigs, type ConnectorKind } from './connector.types';

export { SECRET_FIELDS, maskConfig, maskValue, restoreMaskedSecrets } from './connector-secrets';

/**
 * Validation of connector configs (ajv, compiled once). Every problem is reported, each naming its field path
 * (`headers.x-api-key`, `timeout_ms`), so a console can mark all bad fields at once; values are never quoted
 * (they may be secrets). Defaults (`timeout_ms` 10 000, `verify_tls` true, `sourcetype` `_json`, `prefix`
 * `policy-gateway/`…) are filled in, so senders read complete configs.
 */

/** One problem with a config. */
export interface ConfigIssue {
  /** Dotted path of the field (`url`, `headers.authorization`), or `(config)` for the whole object. */
  field: string;
  message: string;
}

/** A config that cannot be used; `issues` lists every problem. */
export class ConnectorConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`Invalid connector config: ${issues.map((i) => i.message).join('; ')}`);
    this.name = 'ConnectorConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: true, coerceTypes: false });
for (const [name, validate] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate });
const validators = Object.fromEntries(CONNECTOR_KINDS.map((k) => [k, ajv.compile(CONNECTOR_SCHEMAS[k])])) as Record<ConnectorKind, ValidateFunction>;

/** True when `kind` names a connector kind. */
export const isConnectorKind = (kind: unknown): kind is ConnectorKind => typeof kind === 'string' && (CONNECTOR_KINDS as readonly string[]).includes(kind);

const pathOf = (instancePath: string, extra?: string): string => {
  const parts = instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.join('.') || '(config)';
};
const clip = (s: string): string => (s.length > 64 ? `${s.slice(0, 64)}…` : s);

/** One ajv error in words. */
function describe(e: ErrorObject): ConfigIssue {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'required') {
    const field = pathOf(e.instancePath, String(p.missingProperty));
    return { field, message: `'${field}' is required` };
  }
  if (e.keyword === 'additionalProperties') {
    const field = pathOf(e.instancePath, clip(String(p.additionalProperty)));
    return { field, message: `'${field}' is not a known field` };
  }
  const key = (e as ErrorObject & { propertyName?: string }).propertyName;
  const field = pathOf(e.instancePath, key);
  if (key !== undefined) return { field, message: `'${field}': invalid name, expected ${FORMAT_DESCRIPTIONS['header-name']}` };
  switch (e.keyword) {
    case 'type':
      return { field, message: `'${field}' must be of type ${String(p.type)}` };
    case 'format':
      return { field, message: `'${field}' must be ${FORMAT_DESCRIPTIONS[String(p.format)] ?? String(p.format)}` };
    case 'minLength':
      return { field, message: `'${field}' must be at least ${String(p.limit)} characters long` };
    case 'maxLength':
      return { field, message: `'${field}' must be at most ${String(p.limit)} characters long` };
    case 'minimum':
    case 'maximum':
      return { field, message: `'${field}' must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(p.limit)}` };
    case 'maxProperties':
      return { field, message: `'${field}' may have at most ${String(p.limit)} entries` };
    case 'enum':
      return { field, message: `'${field}' must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { field, message: `'${field}' ${e.message ?? 'is invalid'}` };
  }
}

/** Rules across fields, which a schema would word poorly. */
function crossFieldIssues(kind: ConnectorKind, c: Record<string, unknown>): ConfigIssue[] {
  if (kind === 's3' && c.kms_key_id !== undefined && c.sse !== 'aws:kms') {
    return [{ field: 'kms_key_id', message: "'kms_key_id' is only allowed with sse 'aws:kms'" }];
  }
  return [];
}

/** Issues in order, each message once. */
function unique(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(i.message) && seen.add(i.message));
}

/**
 * The config, complete with defaults, typed for its kind; throws {@link ConnectorConfigError} listing every
 * problem. The input is not modified.
 */
export function parseConnectorConfig<K extends ConnectorKind>(kind: K, input: unknown): ConnectorConfigs[K] {
  if (!isConnectorKind(kind)) {
    throw new ConnectorConfigError([{ field: 'kind', message: `'kind' must be one of ${CONNECTOR_KINDS.map((k) => JSON.stringify(k)).join(', ')}` }]);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConnectorConfigError([{ field: '(config)', message: 'the config must be a JSON object' }]);
  }
  const config = structuredClone(input) as Record<string, unknown>;
  const validate = validators[kind];
  // A bad header name is reported twice: by its own check (with `propertyName`) and by `propertyNames` on the map.
  const issues = validate(config) ? [] : (validate.errors ?? []).filter((e) => e.keyword !== 'propertyNames').map(describe);
  issues.push(...crossFieldIssues(kind, config));
  if (issues.length > 0) throw new ConnectorConfigError(unique(issues));
  return config as unknown as ConnectorConfigs[K];
}
