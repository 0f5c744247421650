import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AuditCheckpoint, ChainedAuditEvent } from './audit-event.types';
import { ChainVerifier, type VerifyReport } from './chain-verifier';
import { CheckpointSigner } from './checkpoint-signer';
import { entryHash, GENESIS_HASH } from './entry-hash';
import { recordToEvent } from './record-to-event';

const ORG = '6f0c8a1e-2b3d-4c5e-8f90-a1b2c3d4e5f6';
const signer = new CheckpointSigner(generateKeyPairSync('ed25519').privateKey);
const keys = new Map([[signer.keyId, signer.publicKey]]);

/** A real chain of `n` events with a checkpoint every `every`. */
function chain(n: number, every: number): { events: ChainedAuditEvent[]; checkpoints: AuditCheckpoint[] } {
  const events: ChainedAuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const base = recordToEvent({ v: 2, eventType: 'admin', eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, orgId: ORG, projectId: null, principal: { kind: 'user', keyId: null, userId: 'u1' }, occurredAt: new Date(1_700_000_000_000 + i * 1000).toISOString(), attributes: { action: 'key.create', i } });
    const e = { ...base, seq: i, prev_hash: prev, created_at: new Date(1_700_000_000_000 + i * 1000).toISOString() };
    const full = { ...e, entry_hash: entryHash(e) };
    events.push(full);
    prev = full.entry_hash;
  }
  const checkpoints = events.filter((e) => e.seq % every === 0).map((e) => signer.sign({ org_id: ORG, seq: e.seq, entry_hash: e.entry_hash, created_at: e.created_at }));
  return { events, checkpoints };
}

function run(events: ChainedAuditEvent[], checkpoints: AuditCheckpoint[], head?: { seq: number; entry_hash: string }, startSeq = 1): VerifyReport {
  const v = new ChainVerifier({ orgId: ORG, publicKeys: keys, startSeq });
  for (const cp of checkpoints) v.addCheckpoint(cp);
  for (const e of events) v.addEvent(e);
  return v.finish(head);
}

const brk = (r: VerifyReport) => [r.ok, r.first_break?.seq ?? null, r.first_break?.reason ?? null];

describe('ChainVerifier', () => {
  const { events, checkpoints } = chain(200, 50);
  const head = { seq: 200, entry_hash: events[199].entry_hash };

  it('an intact chain verifies, every checkpoint included, anchored to the last one', () => {
    const r = run(events, checkpoints, head);
    assert.deepEqual(brk(r), [true, null, null]);
    assert.deepEqual([r.checked, r.checkpoints_verified, r.anchored_through, r.first_seq, r.last_seq], [200, 4, 200, 1, 200]);
  });

  it('every tampering of every position is reported at its exact seq', () => {
    for (let k = 1; k <= 199; k += 7) {
      const edited = events.map((e) => (e.seq === k ? { ...e, attributes: { ...e.attributes, i: -1 } } : e));
      assert.deepEqual(brk(run(edited, checkpoints, head)), [false, k, 'hash_mismatch'], `edit ${k}`);
      const rehashed = events.map((e) => (e.seq === k ? ((x) => ({ ...x, entry_hash: entryHash(x) }))({ ...e, model: 'x' }) : e));
      const expectRehash = k % 50 === 0 ? [false, k, 'checkpoint_mismatch'] : [false, k + 1, 'prev_hash_mismatch'];
      assert.deepEqual(brk(run(rehashed, checkpoints, head)), expectRehash, `edit + rehash ${k}`);
      assert.deepEqual(brk(run(events.filter((e) => e.seq !== k), checkpoints, head)), [false, k, 'missing'], `delete ${k}`);
      const swapped = events.map((e) => (e.seq === k ? { ...events[k], seq: k } : e.seq === k + 1 ? { ...events[k - 1], seq: k + 1 } : e));
      assert.deepEqual(brk(run(swapped, checkpoints, head)), [false, k, 'hash_mismatch'], `swap ${k}/${k + 1}`);
    }
  });

  it('a deleted tail is truncated at the first missing seq; an events-only read of a range ends cleanly', () => {
    assert.deepEqual(brk(run(events.slice(0, 180), checkpoints, head)), [false, 181, 'truncated']);
    assert.deepEqual(brk(run(events.slice(0, 180), checkpoints.filter((c) => c.seq <= 180))), [true, null, null]);
  });

  it('checkpoints: a forged signature, an unknown key and another hash are breaks at their seq', () => {
    const forged = checkpoints.map((c) => (c.seq === 100 ? { ...c, signature: Buffer.alloc(64, 1).toString('base64') } : c));
    assert.deepEqual(brk(run(events, forged, head)), [false, 100, 'bad_signature']);
    const unknown = checkpoints.map((c) => (c.seq === 150 ? { ...c, key_id: '0000000000000000' } : c));
    assert.deepEqual(brk(run(events, unknown, head)), [false, 150, 'unknown_key']);
    const other = new CheckpointSigner(generateKeyPairSync('ed25519').privateKey).sign({ org_id: ORG, seq: 50, entry_hash: events[49].entry_hash, created_at: events[49].created_at });
    assert.deepEqual(brk(run(events, [{ ...other, key_id: signer.keyId }, ...checkpoints.slice(1)], head)), [false, 50, 'bad_signature']);
  });

  it('after retention the chain verifies from the first retained event; a gap after it is still caught', () => {
    const kept = events.slice(120);
    assert.deepEqual(brk(run(kept, checkpoints, head, 121)), [true, null, null]);
    assert.deepEqual(brk(run(kept.slice(1), checkpoints, head, 121)), [false, 121, 'missing']);
  });

  it("another organisation's event in the stream is refused", () => {
    const foreign = events.map((e) => (e.seq === 10 ? { ...e, org_id: '00000000-0000-0000-0000-000000000000' } : e));
    assert.equal(run(foreign, checkpoints, head).first_break?.seq, 10);
  });
});
