import { AUDIT_EVENT_CLASSES, ConnectorConfigError, isConnectorKind, parseConnectorConfig, restoreMaskedSecrets, CONNECTOR_KINDS, type ConnectorFields, type StoredConnector } from '@gw/audit';
import { IdentityError } from '@gw/identity';

/** The body of `POST /api/audit/connectors` after validation. */
export interface CreateConnector {
  fields: ConnectorFields;
  backfill: boolean;
}

type Obj = Record<string, unknown>;
const CREATE_FIELDS = new Set(['name', 'kind', 'config', 'project_id', 'event_types', 'enabled', 'backfill']);
const PATCH_FIELDS = new Set(['name', 'config', 'project_id', 'event_types', 'enabled']);
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;
const PROJECT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

const invalid = (message: string, param: string) => IdentityError.invalid(message, param);
const shown = (s: string) => (s.length > 64 ? `${s.slice(0, 64)}…` : s).replace(/[^\x20-\x7e]/g, '?');

function objectBody(body: unknown, allowed: Set<string>): Obj {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('The body must be a JSON object', 'body');
  const unknown = Object.keys(body).find((k) => !allowed.has(k));
  if (unknown !== undefined) throw invalid(`Unknown field '${shown(unknown)}' (expected ${[...allowed].join(', ')})`, shown(unknown));
  return body as Obj;
}

function name(v: unknown): string {
  if (typeof v !== 'string' || !NAME.test(v)) throw invalid("'name' must be 1-64 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit", 'name');
  return v;
}

function projectId(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string' || !PROJECT_ID.test(v)) throw invalid("'project_id' must be a project id of your organisation, or null for all its events", 'project_id');
  return v;
}

function eventTypes(v: unknown): string[] | null {
  if (v === null || v === undefined) return null;
  const ok = Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'string' && (AUDIT_EVENT_CLASSES as readonly string[]).includes(t));
  if (!ok) throw invalid(`'event_types' must be a non-empty list of ${AUDIT_EVENT_CLASSES.join(', ')}, or null for all`, 'event_types');
  return [...new Set(v as string[])];
}

function flag(v: unknown, field: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw invalid(`'${field}' must be true or false`, field);
  return v;
}

/** The kind's config, validated; every problem is listed, the first one named as the parameter. */
function config(kind: StoredConnector['kind'], v: unknown) {
  try {
    return parseConnectorConfig(kind, v);
  } catch (err) {
    if (!(err instanceof ConnectorConfigError)) throw err;
    const first = err.issues[0];
    throw invalid(`Invalid connector config: ${err.issues.map((i) => i.message).join('; ')}`, first.field === '(config)' ? 'config' : `config.${first.field}`);
  }
}

export function parseCreateConnector(body: unknown): CreateConnector {
  const b = objectBody(body, CREATE_FIELDS);
  if (!isConnectorKind(b.kind)) throw invalid(`'kind' must be one of ${CONNECTOR_KINDS.join(', ')}`, 'kind');
  return {
    fields: {
      name: name(b.name),
      kind: b.kind,
      config: config(b.kind, b.config),
      projectId: projectId(b.project_id),
      eventTypes: eventTypes(b.event_types),
      enabled: flag(b.enabled, 'enabled', true),
    },
    backfill: flag(b.backfill, 'backfill', false),
  };
}

/**
 * The fields after a PATCH. `config` replaces the stored one as a whole, but a secret sent back masked as it was
 * read (`****abcd`) keeps its stored value, so a console can edit a URL without knowing the token.
 */
export function parsePatchConnector(body: unknown, current: StoredConnector, openConfig: () => object): ConnectorFields {
  const b = objectBody(body, PATCH_FIELDS);
  return {
    kind: current.kind,
    name: b.name === undefined ? current.name : name(b.name),
    config: b.config === undefined ? (openConfig() as ConnectorFields['config']) : config(current.kind, restoreSecrets(current, b.config, openConfig)),
    projectId: b.project_id === undefined ? current.projectId : projectId(b.project_id),
    eventTypes: b.event_types === undefined ? current.eventTypes : eventTypes(b.event_types),
    enabled: flag(b.enabled, 'enabled', current.enabled),
  };
}

function restoreSecrets(current: StoredConnector, incoming: unknown, openConfig: () => object): unknown {
  if (incoming === null || typeof incoming !== 'object' || Array.isArray(incoming)) return incoming;
  return restoreMaskedSecrets(current.kind, incoming, openConfig());
}
