import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StopSequenceMatcher } from './stop-sequence-matcher';

function feed(stops: string[], chunks: string[]): { out: string; matched?: string } {
  const m = new StopSequenceMatcher(stops);
  let out = '';
  for (const chunk of chunks) {
    const step = m.push(chunk);
    out += step.emit;
    if (step.matched !== undefined) return { out, matched: step.matched };
  }
  return { out: out + m.flush() };
}

void describe('StopSequenceMatcher', () => {
  void it('passes text through without stops', () => {
    assert.deepEqual(feed([], ['a', ' b']), { out: 'a b' });
  });

  void it('matches a stop split across chunks, with its leading space, and drops it', () => {
    assert.deepEqual(feed([' the end'], ['Once', ' upon', ' the', ' e', 'nd', ' more']), { out: 'Once upon', matched: ' the end' });
  });

  void it('holds back a possible prefix, then releases it when it cannot match', () => {
    const m = new StopSequenceMatcher(['END']);
    assert.deepEqual(m.push('abc E'), { emit: 'abc ' });
    assert.deepEqual(m.push('N'), { emit: '' });
    assert.deepEqual(m.push('x'), { emit: 'ENx' });
  });

  void it('reports the earliest match among several stops', () => {
    assert.deepEqual(feed(['zz', 'b'], ['a b zz']), { out: 'a ', matched: 'b' });
  });

  void it('flushes held text when generation ends without a match', () => {
    assert.deepEqual(feed(['\nUser:'], ['hi', '\nUs']), { out: 'hi\nUs' });
  });
});
