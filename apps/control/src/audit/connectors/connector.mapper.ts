import { mapSecrets, maskConfig, type ConnectorConfig, type DeadLetter, type StoredConnector } from '@gw/audit';

/** A connector as the API shows it: secrets masked (`****` + last 4 of 12+ characters), delivery state alongside. */
export interface ConnectorResponse {
  id: string;
  name: string;
  kind: string;
  project_id: string | null;
  event_types: string[] | null;
  enabled: boolean;
  config: ConnectorConfig;
  revision: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  delivery: {
    /** Last chain seq of the organisation handed to delivery. */
    scheduled_through_seq: number;
    delivered: number;
    dead_lettered: number;
    last_success_at: string | null;
    last_error: string | null;
    last_error_at: string | null;
  };
}

export interface DeadLetterResponse {
  id: string;
  from_seq: number;
  to_seq: number;
  events: number;
  attempts: number;
  error: string;
  status: number | null;
  failed_at: string;
  replayed_at: string | null;
}

/**
 * `opened`: the config with its secrets in clear, masked here (the mask a PATCH may send back unchanged to keep a
 * secret); null when the secrets cannot be opened (the key changed), then every secret shows as `****`.
 */
export function toConnectorResponse(c: StoredConnector, opened: ConnectorConfig | null): ConnectorResponse {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    project_id: c.projectId,
    event_types: c.eventTypes,
    enabled: c.enabled,
    config: opened ? maskConfig(c.kind, opened) : mapSecrets(c.kind, c.config, () => '****'),
    revision: c.revision,
    created_by: c.createdBy,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    delivery: {
      scheduled_through_seq: c.cursorSeq,
      delivered: c.delivered,
      dead_lettered: c.deadLettered,
      last_success_at: c.lastSuccessAt,
      last_error: c.lastError,
      last_error_at: c.lastErrorAt,
    },
  };
}

export function toDeadLetterResponse(d: DeadLetter): DeadLetterResponse {
  return { id: d.id, from_seq: d.fromSeq, to_seq: d.toSeq, events: d.events, attempts: d.attempts, error: d.error, status: d.status, failed_at: d.failedAt, replayed_at: d.replayedAt };
}
