import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditCheckpoint, AuditEvent, ChainedAuditEvent } from './audit-event.types';

/** `prev_hash` of an org's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * RFC 8785 serialisation (the `canonicalize` package, by the RFC's author). Hand-writing JCS is a classic source of
 * number-formatting bugs; the package follows ECMAScript's number serialisation, which the RFC adopts.
 */
export function jcs(value: unknown): string {
  const out = canonicalize(value);
  if (out === undefined) throw new TypeError('value cannot be canonicalised');
  return out;
}

/** Hex SHA-256 over the JCS form of the event without its `entry_hash`. */
export function entryHash(event: AuditEvent | ChainedAuditEvent): string {
  let hashed: AuditEvent = event;
  if ('entry_hash' in event) {
    const { entry_hash: _ignored, ...rest } = event;
    hashed = rest;
  }
  return hash('sha256', jcs(hashed), 'hex'); // one native call: the writer hashes every event
}

/** The bytes a checkpoint signs: domain-separated, canonical, covering org, seq, hash and time. */
export function checkpointMessage(cp: Pick<AuditCheckpoint, 'org_id' | 'seq' | 'entry_hash' | 'created_at'>): Buffer {
  return Buffer.from(jcs({ type: 'policy-gateway.audit-checkpoint', v: 1, org_id: cp.org_id, seq: cp.seq, entry_hash: cp.entry_hash, created_at: cp.created_at }), 'utf8');
}
