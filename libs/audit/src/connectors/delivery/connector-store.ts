import { randomUUID } from 'node:crypto';
import type { TxClient } from '../../chain/chain-writer';
import type { ConnectorConfig, ConnectorKind } from '../connector.types';
import type { SecretBox } from '../secret-box';
import * as SQL from './connector.sql';

/** What an admin sets on a connector (the config validated, secrets in clear). */
export interface ConnectorFields {
  name: string;
  kind: ConnectorKind;
  /** Only this project's events; null = the whole organisation. */
  projectId: string | null;
  /** Only these event classes; null = all. */
  eventTypes: string[] | null;
  config: ConnectorConfig;
  enabled: boolean;
}

/** A connector as stored: `config` has its secrets sealed. */
export interface StoredConnector extends Omit<ConnectorFields, 'config'> {
  id: string;
  orgId: string;
  config: ConnectorConfig;
  /** Last chain seq of the org handed to the delivery queue. */
  cursorSeq: number;
  revision: number;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  delivered: number;
  deadLettered: number;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface DeadLetter {
  id: string;
  connectorId: string;
  fromSeq: number;
  toSeq: number;
  events: number;
  attempts: number;
  error: string;
  status: number | null;
  failedAt: string;
  replayedAt: string | null;
}

type Row = Record<string, unknown>;
const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : null);

function connectorOf(r: Row): StoredConnector {
  return {
    id: String(r.id),
    orgId: String(r.org_id),
    name: String(r.name),
    kind: r.kind as ConnectorKind,
    projectId: (r.project_id as string | null) ?? null,
    eventTypes: (r.event_types as string[] | null) ?? null,
    config: r.config as ConnectorConfig,
    enabled: r.enabled === true,
    cursorSeq: Number(r.cursor_seq),
    revision: Number(r.revision),
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    delivered: Number(r.delivered),
    deadLettered: Number(r.dead_lettered),
    lastSuccessAt: iso(r.last_success_at),
    lastError: (r.last_error as string | null) ?? null,
    lastErrorAt: iso(r.last_error_at),
  };
}

function deadLetterOf(r: Row): DeadLetter {
  return {
    id: String(r.id),
    connectorId: String(r.connector_id),
    fromSeq: Number(r.from_seq),
    toSeq: Number(r.to_seq),
    events: Number(r.events),
    attempts: Number(r.attempts),
    error: String(r.error),
    status: r.status == null ? null : Number(r.status),
    failedAt: iso(r.failed_at)!,
    replayedAt: iso(r.replayed_at),
  };
}

/** The rows of a query; TypeORM answers an UPDATE/DELETE … RETURNING with `[rows, rowCount]`. */
async function rows(q: Promise<unknown>): Promise<Row[]> {
  const r = await q;
  return (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number' ? r[0] : r) as Row[];
}

/**
 * Connector rows and their dead letters. Secrets are sealed with the connector's id as context (a sealed value
 * cannot be moved to another connector or field) and opened only for delivery ({@link open}); the API masks them.
 */
export class ConnectorStore {
  constructor(private readonly box: SecretBox) {}

  async list(db: TxClient, orgId: string): Promise<StoredConnector[]> {
    return (await rows(db.query(SQL.LIST_SQL, [orgId]))).map(connectorOf);
  }

  async get(db: TxClient, orgId: string, id: string, lock = false): Promise<StoredConnector | null> {
    const [r] = await rows(db.query(lock ? SQL.LOCK_SQL : SQL.GET_SQL, [orgId, id]));
    return r ? connectorOf(r) : null;
  }

  /** Any org's connector, for the delivery worker. */
  async byId(db: TxClient, id: string): Promise<StoredConnector | null> {
    const [r] = await rows(db.query(SQL.BY_ID_SQL, [id]));
    return r ? connectorOf(r) : null;
  }

  async count(db: TxClient, orgId: string): Promise<number> {
    const [r] = await rows(db.query(SQL.COUNT_SQL, [orgId]));
    return Number(r?.n ?? 0);
  }

  /** `backfill`: deliver the retained history too; otherwise the events after the current head. */
  async create(db: TxClient, orgId: string, f: ConnectorFields, createdBy: string | null, backfill: boolean): Promise<StoredConnector> {
    const id = randomUUID();
    const config = this.box.sealConfig(f.kind, f.config, id);
    const [r] = await rows(db.query(SQL.INSERT_SQL, [id, orgId, f.name, f.kind, f.projectId, f.eventTypes, config, f.enabled, createdBy, backfill]));
    return connectorOf(r);
  }

  async update(db: TxClient, current: StoredConnector, f: ConnectorFields): Promise<StoredConnector> {
    const config = this.box.sealConfig(f.kind, f.config, current.id);
    const [r] = await rows(db.query(SQL.UPDATE_SQL, [current.orgId, current.id, f.name, f.projectId, f.eventTypes, config, f.enabled]));
    return connectorOf(r);
  }

  async delete(db: TxClient, orgId: string, id: string): Promise<boolean> {
    return (await rows(db.query(SQL.DELETE_SQL, [orgId, id]))).length > 0;
  }

  /** The config with its secrets in clear; throws `SecretBoxError` when the key changed or a value was edited. */
  open(c: StoredConnector): ConnectorConfig {
    return this.box.openConfig(c.kind, c.config, c.id);
  }

  async delivered(db: TxClient, id: string, n: number): Promise<void> {
    if (n > 0) await db.query(SQL.DELIVERED_SQL, [id, n]);
  }

  async failed(db: TxClient, id: string, error: string): Promise<void> {
    await db.query(SQL.FAILED_SQL, [id, error]);
  }

  async deadLetter(db: TxClient, c: Pick<StoredConnector, 'id' | 'orgId'>, d: Omit<DeadLetter, 'id' | 'connectorId' | 'failedAt' | 'replayedAt'>): Promise<void> {
    await db.query(SQL.DEAD_LETTER_SQL, [randomUUID(), c.orgId, c.id, d.fromSeq, d.toSeq, d.events, d.attempts, d.error, d.status]);
  }

  async deadLetters(db: TxClient, orgId: string, connectorId: string, includeReplayed: boolean, limit: number): Promise<DeadLetter[]> {
    return (await rows(db.query(SQL.DEAD_LETTERS_SQL, [orgId, connectorId, includeReplayed, limit]))).map(deadLetterOf);
  }

  /** Marks pending dead letters replayed (one, or all of the connector when `id` is null) and returns them. */
  async takeForReplay(db: TxClient, orgId: string, connectorId: string, id: string | null): Promise<DeadLetter[]> {
    return (await rows(db.query(SQL.TAKE_FOR_REPLAY_SQL, [orgId, connectorId, id]))).map(deadLetterOf);
  }
}
