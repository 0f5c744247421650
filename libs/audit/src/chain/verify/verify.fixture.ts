import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { AuditCheckpoint, AuditEvent, ChainedAuditEvent } from '../audit-event.types';
import { CheckpointSigner } from '../checkpoint-signer';
import { entryHash, GENESIS_HASH } from '../entry-hash';
import { ChainVerifier, type VerifyReport } from './chain-verifier';
import { keysById } from './checkpoint-keys';

/** Test fixtures: real chains hashed with `entryHash` and checkpoints signed with real Ed25519 keys. */
export const ORG_A = '6f0c8a1e-2b3d-4c5e-8f90-a1b2c3d4e5f6';
export const ORG_B = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';

export const newSigner = (): CheckpointSigner => new CheckpointSigner(generateKeyPairSync('ed25519').privateKey);

const T0 = Date.UTC(2026, 0, 1);

/** The unchained content of the event at `seq` (varied fields, so edits of any of them change the hash). */
export function eventContent(orgId: string, seq: number): Omit<AuditEvent, 'prev_hash'> {
  const at = new Date(T0 + seq * 1000).toISOString();
  return {
    v: 2,
    event_id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    event_type: seq % 3 === 0 ? 'admin' : 'enforcement',
    org_id: orgId,
    seq,
    created_at: at,
    occurred_at: at,
    project_id: 'proj-1',
    principal: { kind: 'api_key', key_id: `key-${seq % 5}`, key_preview: 'sk-…abcd', user_id: null },
    request_id: `req-${seq}`,
    surface: 'openai-chat',
    model: 'gpt-4o-mini',
    provider: 'openai',
    upstream_model: 'gpt-4o-mini-2024-07-18',
    stream: seq % 2 === 0,
    status: 'ok',
    http_status: 200,
    error_code: null,
    finish_reason: 'stop',
    input_tokens: 10 + seq,
    output_tokens: 20 + seq,
    started_at: at,
    latency_ms: 120,
    ttft_ms: 40,
    attributes: { decision: 'allow', redactions: { email: seq % 4 }, note: `é ${seq}` },
  };
}

/** Recomputes `entry_hash` (what a careful forger does after editing a row). */
export const rehash = (e: ChainedAuditEvent): ChainedAuditEvent => ({ ...e, entry_hash: entryHash(e) });

/** Re-links `events` from `prev`, rehashing each (a forger rewriting everything after an edit). */
export function relink(events: readonly ChainedAuditEvent[], prev: string): ChainedAuditEvent[] {
  return events.map((e) => {
    const out = rehash({ ...e, prev_hash: prev });
    prev = out.entry_hash;
    return out;
  });
}

/** Events `from..to` of an org's chain, linked from `prev` (genesis for seq 1). */
export function buildEvents(orgId: string, to: number, from = 1, prev = GENESIS_HASH): ChainedAuditEvent[] {
  const events: ChainedAuditEvent[] = [];
  for (let seq = from; seq <= to; seq++) {
    const e = rehash({ ...eventContent(orgId, seq), prev_hash: prev, entry_hash: '' });
    events.push(e);
    prev = e.entry_hash;
  }
  return events;
}

/** Signed checkpoints at every seq of `events` divisible by `every`. */
export function checkpointsOf(events: readonly ChainedAuditEvent[], every: number, signer: CheckpointSigner): AuditCheckpoint[] {
  return events
    .filter((e) => e.seq % every === 0)
    .map((e) => signer.sign({ org_id: e.org_id, seq: e.seq, entry_hash: e.entry_hash, created_at: new Date(T0 + e.seq * 1000 + 500).toISOString() }));
}

export interface ChainFixture {
  events: ChainedAuditEvent[];
  checkpoints: AuditCheckpoint[];
  signer: CheckpointSigner;
  keys: Map<string, KeyObject>;
  head: { seq: number; entry_hash: string };
}

/** A chain of `n` events of `orgId` with a checkpoint every `every` seqs. */
export function buildChain(n: number, every: number, orgId = ORG_A, signer = newSigner()): ChainFixture {
  const events = buildEvents(orgId, n);
  const last = events[events.length - 1];
  return { events, checkpoints: checkpointsOf(events, every, signer), signer, keys: keysById([signer.publicKey]), head: { seq: last.seq, entry_hash: last.entry_hash } };
}

/** Runs a verifier the way the API does: checkpoints first, then events in the given order, then `finish`. */
export function verifyAll(
  events: readonly ChainedAuditEvent[],
  checkpoints: readonly AuditCheckpoint[],
  opts: { keys: ReadonlyMap<string, KeyObject>; orgId?: string; startSeq?: number; startPrevHash?: string; head?: { seq: number; entry_hash: string } },
): VerifyReport {
  const v = new ChainVerifier({ orgId: opts.orgId ?? ORG_A, publicKeys: opts.keys, startSeq: opts.startSeq, startPrevHash: opts.startPrevHash });
  for (const cp of checkpoints) v.addCheckpoint(cp);
  for (const e of events) v.addEvent(e);
  return v.finish(opts.head);
}

/** `[ok, seq, reason]` of a report's first break: one comparable triple per assertion. */
export const breakOf = (r: VerifyReport): [boolean, number | null, string | null] => [r.ok, r.first_break?.seq ?? null, r.first_break?.reason ?? null];

/** A small seeded PRNG (mulberry32): property loops that are random yet reproducible from the seed. */
export function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}
