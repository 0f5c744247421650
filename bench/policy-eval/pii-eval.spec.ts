import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PII_TYPES } from '@gw/policy';
import { DEFAULT_SEED, generateDataset } from './pii-dataset';
import { score } from './pii-eval';

// The quality gate of the PII detectors on the synthetic set (docs/policy-quality-pii.md): a regression in any
// detector's precision, or in overall F1, fails here.
describe('PII detectors on the synthetic labelled set', () => {
  const set = generateDataset(DEFAULT_SEED, 700);

  it('the set is deterministic, covers every type and labels spans inside the text', () => {
    assert.deepEqual(generateDataset(DEFAULT_SEED, 20), set.slice(0, 20));
    assert.notDeepEqual(generateDataset(DEFAULT_SEED + 1, 20), set.slice(0, 20));
    for (const t of PII_TYPES) assert.ok(set.filter((m) => m.gold.some((g) => g.type === t)).length >= 50, t);
    assert.ok(set.reduce((a, m) => a + m.negatives.length, 0) >= 300);
    for (const m of set) for (const s of [...m.gold, ...m.negatives]) assert.ok(s.start >= 0 && s.end <= m.text.length && s.end > s.start);
  });

  it('micro-F1 ≥ 0.9 and every type has precision ≥ 0.9 (and recall ≥ 0.8)', () => {
    for (const seed of [DEFAULT_SEED, 7]) {
      const rep = score(seed === DEFAULT_SEED ? set : generateDataset(seed, 400));
      assert.ok(rep.micro.f1 >= 0.9, `seed ${seed}: micro-F1 ${rep.micro.f1.toFixed(3)}`);
      for (const t of rep.types) {
        assert.ok(t.precision >= 0.9, `seed ${seed}: ${t.type} precision ${t.precision.toFixed(3)}`);
        assert.ok(t.recall >= 0.8, `seed ${seed}: ${t.type} recall ${t.recall.toFixed(3)}`);
      }
    }
  });

  it('the scorer can fail: no detections, or every digit run called a phone, score low', () => {
    assert.equal(score(set, () => []).micro.recall, 0);
    const allDigits = score(set, (text) => [...text.matchAll(/\d[\d -]*\d/g)].map((m) => ({ type: 'PHONE' as const, start: m.index, end: m.index + m[0].length })));
    assert.ok(allDigits.types.find((t) => t.type === 'PHONE')!.precision < 0.5);
  });
});
