import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditCheckpoint, ChainedAuditEvent } from '../audit-event.types';
import { breakOf, buildChain, newSigner, prng, rehash, verifyAll } from './verify.fixture';

/**
 * Property-style: a 200-event chain with a checkpoint every 50; at many random positions k (plus the edges), each
 * tampering is applied and the exact first break asserted, in API mode (range start and head known) and in
 * export mode (neither: only the file's own checkpoints).
 */
const N = 200;
const EVERY = 50;
const fx = buildChain(N, EVERY);
const forger = newSigner();
const intact: Tampered = { events: fx.events, checkpoints: fx.checkpoints };

interface Tampered {
  events: ChainedAuditEvent[];
  checkpoints: AuditCheckpoint[];
}
type Expect = [seq: number, reason: string];
interface Tampering {
  name: string;
  /** Positions it applies to. */
  ks: (k: number) => boolean;
  /** Tampers with `on` (the intact chain, or one already tampered with elsewhere) at `k`. */
  apply: (k: number, on: Tampered, pick: (n: number) => number) => Tampered;
  expect: (k: number) => Expect;
}

const EDITS: Array<(e: ChainedAuditEvent) => ChainedAuditEvent> = [
  (e) => ({ ...e, http_status: (e.http_status ?? 0) + 1 }),
  (e) => ({ ...e, attributes: { ...e.attributes, decision: 'deny' } }),
  (e) => ({ ...e, principal: { ...e.principal, key_id: 'key-x' } }),
  (e) => ({ ...e, created_at: new Date(Date.parse(e.created_at) + 1).toISOString() }),
  (e) => ({ ...e, event_type: 'auth' }),
  (e) => ({ ...e, output_tokens: null }),
  (e) => ({ ...e, prev_hash: e.entry_hash }),
  (e) => ({ ...e, entry_hash: e.prev_hash }),
];

const isCheckpoint = (k: number) => k % EVERY === 0;

const TAMPERINGS: Tampering[] = [
  {
    name: 'edit a field',
    ks: () => true,
    apply: (k, on, pick) => ({ ...on, events: on.events.map((e) => (e.seq === k ? EDITS[pick(EDITS.length)](e) : e)) }),
    expect: (k) => [k, 'hash_mismatch'],
  },
  {
    name: 'edit and rehash',
    ks: () => true,
    apply: (k, on) => ({ ...on, events: on.events.map((e) => (e.seq === k ? rehash({ ...e, model: `edited-${k}` }) : e)) }),
    expect: (k) => (isCheckpoint(k) ? [k, 'checkpoint_mismatch'] : [k + 1, 'prev_hash_mismatch']),
  },
  {
    name: 'delete a row',
    ks: () => true,
    apply: (k, on) => ({ ...on, events: on.events.filter((e) => e.seq !== k) }),
    expect: (k) => (k === N ? [N, 'truncated'] : [k, 'missing']),
  },
  {
    name: 'swap the seqs of k and k+1',
    ks: (k) => k < N,
    apply: (k, on) => ({ ...on, events: on.events.map((e) => (e.seq === k ? { ...e, seq: k + 1 } : e.seq === k + 1 ? { ...e, seq: k } : e)).sort((a, b) => a.seq - b.seq) }),
    expect: (k) => [k, 'hash_mismatch'],
  },
  {
    name: 'delete the tail from k',
    ks: () => true,
    apply: (k, on) => ({ ...on, events: on.events.filter((e) => e.seq < k) }),
    expect: (k) => [k, 'truncated'],
  },
  {
    name: 'forge the signature of the checkpoint at k',
    ks: isCheckpoint,
    apply: (k, on) => ({ ...on, checkpoints: on.checkpoints.map((c) => (c.seq === k ? { ...c, signature: forger.sign(c).signature } : c)) }),
    expect: (k) => [k, 'bad_signature'],
  },
];

/** Positions: the edges around checkpoints and ends, plus `count` seeded random ones. */
function positions(seed: number, count: number): number[] {
  const rnd = prng(seed);
  const ks = new Set([1, 2, 49, 50, 51, 100, 150, 199, 200]);
  while (ks.size < count + 9) ks.add(1 + rnd(N));
  return [...ks].sort((a, b) => a - b);
}

describe('ChainVerifier property: exact first break for every tampering at every sampled position', () => {
  const ks = positions(0x5eed, 40);
  for (const t of TAMPERINGS) {
    it(t.name, () => {
      const pick = prng(ks.length * 31);
      let cases = 0;
      for (const k of ks.filter(t.ks)) {
        const { events, checkpoints } = t.apply(k, intact, pick);
        const [seq, reason] = t.expect(k);
        const api = verifyAll(events, checkpoints, { keys: fx.keys, startSeq: 1, head: fx.head });
        assert.deepEqual(breakOf(api), [false, seq, reason], `${t.name} at k=${k} (API mode): ${api.first_break?.detail}`);
        const file = verifyAll(events, checkpoints, { keys: fx.keys });
        if (k > 1 || t.name !== 'delete a row') assert.deepEqual(breakOf(file), [false, seq, reason], `${t.name} at k=${k} (export mode)`);
        cases++;
      }
      assert.ok(cases >= 4, 'the tampering was exercised');
    });
  }

  it('two tamperings: the lower one is reported, whichever is found first', () => {
    const pick = prng(99);
    const lower = TAMPERINGS.filter((t) => t.name !== 'delete the tail from k');
    let done = 0;
    for (let i = 0; done < 60 && i < 5_000; i++) {
      const t1 = lower[pick(lower.length)];
      const t2 = TAMPERINGS[pick(TAMPERINGS.length)];
      const [k1, k2] = [1 + pick(N), 1 + pick(N)];
      if (k2 <= k1 + 2 || !t1.ks(k1) || !t2.ks(k2)) continue;
      const both = t1.apply(k1, t2.apply(k2, intact, pick), pick);
      const r = verifyAll(both.events, both.checkpoints, { keys: fx.keys, startSeq: 1, head: fx.head });
      assert.deepEqual(breakOf(r), [false, ...t1.expect(k1)], `${t1.name}@${k1} then ${t2.name}@${k2}`);
      done++;
    }
    assert.equal(done, 60);
  });

  it('an intact chain gives no break in either mode (the assertions above can pass only through tampering)', () => {
    assert.deepEqual(breakOf(verifyAll(fx.events, fx.checkpoints, { keys: fx.keys, startSeq: 1, head: fx.head })), [true, null, null]);
    assert.deepEqual(breakOf(verifyAll(fx.events, fx.checkpoints, { keys: fx.keys })), [true, null, null]);
  });
});
