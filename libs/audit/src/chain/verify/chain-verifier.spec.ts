import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChainedAuditEvent } from '../audit-event.types';
import { GENESIS_HASH } from '../entry-hash';
import { ChainVerifier } from './chain-verifier';
import { keysById } from './checkpoint-keys';
import { breakOf, buildChain, buildEvents, checkpointsOf, newSigner, ORG_A, ORG_B, rehash, relink, verifyAll } from './verify.fixture';

const fx = buildChain(200, 50);
const { events, checkpoints, keys, head } = fx;
const at = (seq: number): ChainedAuditEvent => events[seq - 1];
const replace = (seq: number, e: ChainedAuditEvent): ChainedAuditEvent[] => events.map((x) => (x.seq === seq ? e : x));

describe('ChainVerifier: an intact chain', () => {
  it('verifies with every checkpoint, anchored through the last one', () => {
    const r = verifyAll(events, checkpoints, { keys, startSeq: 1, head });
    assert.deepEqual(r, { ok: true, checked: 200, first_seq: 1, last_seq: 200, checkpoints_verified: 4, anchored_through: 200, first_break: null });
  });

  it('verifies from a retained start: the first prev_hash is taken as given, older checkpoints are ignored', () => {
    const r = verifyAll(events.slice(100), checkpoints, { keys, head });
    assert.deepEqual([r.ok, r.first_seq, r.checked, r.checkpoints_verified, r.anchored_through], [true, 101, 100, 2, 200]);
    const ranged = verifyAll(events.slice(100), checkpoints, { keys, startSeq: 101, startPrevHash: at(100).entry_hash, head });
    assert.equal(ranged.ok, true);
  });

  it('accepts checkpoints signed by rotated keys, and checkpoints added after their events (recent window)', () => {
    const newer = newSigner();
    const cps = [...checkpointsOf(events.slice(0, 100), 50, fx.signer), ...checkpointsOf(events.slice(100), 50, newer)];
    const both = keysById([fx.signer.publicKey, newer.publicKey]);
    assert.deepEqual(breakOf(verifyAll(events, cps, { keys: both, startSeq: 1, head })), [true, null, null]);
    const v = new ChainVerifier({ orgId: ORG_A, publicKeys: both });
    for (const e of events) {
      v.addEvent(e);
      for (const cp of cps) if (cp.seq === e.seq) v.addCheckpoint(cp); // the checkpoint line right after its event
    }
    assert.equal(v.finish(head).checkpoints_verified, 4);
    assert.equal(verifyAll(events, cps, { keys, startSeq: 1 }).first_break?.reason, 'unknown_key', 'the old key alone does not vouch for the new one');
  });

  it('an empty run is ok, but not against a head that has events', () => {
    assert.deepEqual(verifyAll([], [], { keys }), { ok: true, checked: 0, first_seq: null, last_seq: null, checkpoints_verified: 0, anchored_through: null, first_break: null });
    assert.deepEqual(breakOf(verifyAll([], [], { keys, head: { seq: 0, entry_hash: GENESIS_HASH } })), [true, null, null]);
    assert.deepEqual(breakOf(verifyAll([], [], { keys, startSeq: 7, head })), [false, 7, 'truncated']);
  });
});

describe('ChainVerifier: each tampering is reported at its exact seq', () => {
  it('an edited field of row k → hash_mismatch at k, whatever the field (org_id, prev_hash and entry_hash included)', () => {
    const edits: Array<(e: ChainedAuditEvent) => ChainedAuditEvent> = [
      (e) => ({ ...e, http_status: 403 }),
      (e) => ({ ...e, attributes: { ...e.attributes, redactions: { email: 99 } } }),
      (e) => ({ ...e, principal: { ...e.principal, user_id: 'someone' } }),
      (e) => ({ ...e, org_id: ORG_B }),
      (e) => ({ ...e, prev_hash: 'f'.repeat(64) }),
      (e) => ({ ...e, entry_hash: 'e'.repeat(64) }),
      (e) => {
        const { model: _dropped, ...rest } = e;
        return rest as ChainedAuditEvent;
      },
    ];
    for (const [i, edit] of edits.entries()) assert.deepEqual(breakOf(verifyAll(replace(37, edit(at(37))), checkpoints, { keys, startSeq: 1, head })), [false, 37, 'hash_mismatch'], `edit ${i}`);
  });

  it('an edited and rehashed row k → prev_hash_mismatch at k+1, or checkpoint_mismatch at k on a checkpoint', () => {
    assert.deepEqual(breakOf(verifyAll(replace(37, rehash({ ...at(37), model: 'x' })), checkpoints, { keys, startSeq: 1, head })), [false, 38, 'prev_hash_mismatch']);
    assert.deepEqual(breakOf(verifyAll(replace(100, rehash({ ...at(100), model: 'x' })), checkpoints, { keys, startSeq: 1, head })), [false, 100, 'checkpoint_mismatch']);
  });

  it('a forger who relinks the whole rest of the chain is caught at the next checkpoint, and by the head after the last one', () => {
    const forged = [...events.slice(0, 36), ...relink(events.slice(36).map((e) => ({ ...e, model: 'forged' })), at(36).entry_hash)];
    assert.deepEqual(breakOf(verifyAll(forged, checkpoints, { keys, startSeq: 1, head })), [false, 50, 'checkpoint_mismatch']);
    const tail = [...events.slice(0, 190), ...relink(events.slice(190).map((e) => ({ ...e, model: 'forged' })), at(190).entry_hash)];
    const noCp = checkpoints.filter((c) => c.seq < 200);
    const unanchored = verifyAll(tail, noCp, { keys, startSeq: 1 });
    assert.deepEqual([...breakOf(unanchored), unanchored.anchored_through], [true, null, null, 150], 'past the last checkpoint only the head can tell');
    assert.deepEqual(breakOf(verifyAll(tail, noCp, { keys, startSeq: 1, head })), [false, 200, 'truncated']);
  });

  it('a checkpoint whose hash was changed to match a rehashed row no longer verifies → bad_signature', () => {
    const edited = rehash({ ...at(100), model: 'x' });
    const cps = checkpoints.map((c) => (c.seq === 100 ? { ...c, entry_hash: edited.entry_hash } : c));
    assert.deepEqual(breakOf(verifyAll(replace(100, edited), cps, { keys, startSeq: 1, head })), [false, 100, 'bad_signature']);
  });

  it('a deleted row k → missing at k (a deleted range: its first seq)', () => {
    assert.deepEqual(breakOf(verifyAll(events.filter((e) => e.seq !== 50), checkpoints, { keys, startSeq: 1, head })), [false, 50, 'missing']);
    const r = verifyAll(events.filter((e) => e.seq < 60 || e.seq > 63), checkpoints, { keys, startSeq: 1, head });
    assert.deepEqual(breakOf(r), [false, 60, 'missing']);
    assert.match(r.first_break!.detail, /60\.\.63/);
    assert.deepEqual(breakOf(verifyAll(events.slice(1), checkpoints, { keys, startSeq: 1, head })), [false, 1, 'missing'], 'the first row, when the range start is known');
  });

  it('swapped seq values of rows k and k+1 → hash_mismatch at k; swapped lines → out_of_order at k; a repeated line → out_of_order', () => {
    const swapped = events.map((e) => (e.seq === 20 ? { ...e, seq: 21 } : e.seq === 21 ? { ...e, seq: 20 } : e)).sort((a, b) => a.seq - b.seq);
    assert.deepEqual(breakOf(verifyAll(swapped, checkpoints, { keys, startSeq: 1, head })), [false, 20, 'hash_mismatch']);
    const lines = [...events.slice(0, 19), at(21), at(20), ...events.slice(21)];
    assert.deepEqual(breakOf(verifyAll(lines, checkpoints, { keys, startSeq: 1, head })), [false, 20, 'out_of_order']);
    const repeated = [...events.slice(0, 30), at(30), ...events.slice(30)];
    const r = verifyAll(repeated, checkpoints, { keys, startSeq: 1, head });
    assert.deepEqual([...breakOf(r), r.checked], [false, 30, 'out_of_order', 201]);
  });

  it('a deleted tail → truncated at last+1, from the head or from a signed checkpoint past the end', () => {
    const cut = events.slice(0, 120);
    assert.deepEqual(breakOf(verifyAll(cut, [], { keys, startSeq: 1, head })), [false, 121, 'truncated']);
    assert.deepEqual(breakOf(verifyAll(cut, checkpoints, { keys, startSeq: 1 })), [false, 121, 'truncated']);
    assert.deepEqual(breakOf(verifyAll(events, checkpoints, { keys, startSeq: 1, head: { seq: 200, entry_hash: 'a'.repeat(64) } })), [false, 200, 'truncated']);
  });

  it('forged, unknown-key and foreign checkpoints → bad_signature, unknown_key, wrong_org at their seq', () => {
    const other = newSigner();
    const forged = checkpoints.map((c) => (c.seq === 150 ? { ...c, signature: other.sign(c).signature } : c));
    assert.deepEqual(breakOf(verifyAll(events, forged, { keys, startSeq: 1, head })), [false, 150, 'bad_signature']);
    const garbage = checkpoints.map((c) => (c.seq === 150 ? { ...c, signature: 'not base64 at all!' } : c));
    assert.deepEqual(breakOf(verifyAll(events, garbage, { keys, startSeq: 1, head })), [false, 150, 'bad_signature']);
    const unknown = checkpoints.map((c) => (c.seq === 100 ? other.sign(c) : c));
    assert.deepEqual(breakOf(verifyAll(events, unknown, { keys, startSeq: 1, head })), [false, 100, 'unknown_key']);
    const foreign = [...checkpoints, { ...checkpoints[0], org_id: ORG_B, seq: 75 }];
    assert.deepEqual(breakOf(verifyAll(events, foreign, { keys, startSeq: 1, head })), [false, 75, 'wrong_org']);
    const late = checkpoints.map((c) => (c.seq === 200 ? { ...c, seq: 300, signature: other.sign(c).signature } : c));
    assert.deepEqual(breakOf(verifyAll(events, late, { keys, startSeq: 1 })), [false, 300, 'bad_signature'], 'past the end, a bad one is still reported');
  });

  it("another org's intact event in the chain → wrong_org", () => {
    const b = buildEvents(ORG_B, 10);
    const mixed = [...events.slice(0, 9), b[9], ...events.slice(10)];
    assert.deepEqual(breakOf(verifyAll(mixed, checkpoints, { keys, startSeq: 1, head })), [false, 10, 'wrong_org']);
  });

  it('seq 1 must link to genesis; a given start hash must match', () => {
    const first = rehash({ ...at(1), prev_hash: 'b'.repeat(64) });
    assert.deepEqual(breakOf(verifyAll([first, ...events.slice(1)], [], { keys })), [false, 1, 'prev_hash_mismatch']);
    assert.deepEqual(breakOf(verifyAll(events.slice(100), [], { keys, startSeq: 101, startPrevHash: at(99).entry_hash })), [false, 101, 'prev_hash_mismatch']);
    assert.deepEqual(breakOf(verifyAll(events.slice(102), [], { keys, startSeq: 101 })), [false, 101, 'missing']);
    assert.deepEqual(breakOf(verifyAll(events, [], { keys, startSeq: 101 })), [false, 1, 'out_of_order'], 'events before the range start');
  });

  it('the lowest seq wins whatever order the breaks are found in, and checking goes on to the end', () => {
    const other = newSigner();
    const many = events
      .filter((e) => e.seq !== 30)
      .map((e) => (e.seq === 10 ? { ...e, model: 'x' } : e.seq === 120 ? rehash({ ...e, model: 'y' }) : e));
    const cps = checkpoints.map((c) => (c.seq === 50 ? { ...c, signature: other.sign(c).signature } : c));
    const r = verifyAll(many, cps, { keys, startSeq: 1, head });
    assert.deepEqual([...breakOf(r), r.checked, r.last_seq], [false, 10, 'hash_mismatch', 199, 200]);
    const missingFirst = verifyAll(many.filter((e) => e.seq !== 5), cps, { keys, startSeq: 1, head });
    assert.deepEqual(breakOf(missingFirst), [false, 5, 'missing']);
  });
});

describe('ChainVerifier: bounded memory and misuse', () => {
  it('a checkpoint older than the recent window is refused loudly; one inside a gap is ignored (the gap is reported)', () => {
    const v = new ChainVerifier({ orgId: ORG_A, publicKeys: keys, recentWindow: 8 });
    for (const e of events.slice(0, 60)) v.addEvent(e);
    assert.throws(() => v.addCheckpoint(checkpoints[0]), /came 10 events late/);
    const g = new ChainVerifier({ orgId: ORG_A, publicKeys: keys, startSeq: 1 });
    for (const e of events.filter((x) => x.seq !== 50)) g.addEvent(e);
    g.addCheckpoint(checkpoints[0]);
    assert.deepEqual(breakOf(g.finish(head)), [false, 50, 'missing']);
  });

  it('finish ends the run', () => {
    const v = new ChainVerifier({ orgId: ORG_A, publicKeys: keys });
    v.finish();
    assert.throws(() => v.addEvent(at(1)), /finish\(\) was already called/);
    assert.throws(() => new ChainVerifier({ orgId: ORG_A, publicKeys: keys, startSeq: 0 }), RangeError);
  });
});
