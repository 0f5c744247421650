import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeText, toOriginalSpan } from './normalize';
import { TermMatcher, termTokenCount } from './term-matcher';

function hits(terms: string[], text: string): string[] {
  const n = normalizeText(text);
  return TermMatcher.build(terms)
    .scan(n.text)
    .hits.map((h) => {
      const s = toOriginalSpan(n, h.start, h.end);
      return `${terms[h.term]}@${text.slice(s.start, s.end)}`;
    });
}

describe('TermMatcher', () => {
  it('matches whole words and phrases, case-insensitively, across any run of whitespace', () => {
    assert.deepEqual(hits(['competitor-x', 'internal project codename'], 'Ask about COMPETITOR-X and the Internal \n\t Project   codename.'), [
      'competitor-x@COMPETITOR-X',
      'internal project codename@Internal \n\t Project   codename',
    ]);
    assert.deepEqual(hits(['cat'], 'concatenate cats cat_x scat'), []);
    assert.deepEqual(hits(['cat'], 'a cat. (cat) "cat"'), ['cat@cat', 'cat@cat', 'cat@cat']);
  });

  it('reads through NFKC, zero-width and bidi tricks, and reports original offsets', () => {
    assert.deepEqual(hits(['secret plan'], 'the ｓｅｃｒｅｔ pl\u200Ban'), ['secret plan@ｓｅｃｒｅｔ pl\u200Ban']);
    assert.deepEqual(hits(['secret'], 'se\u202Ecr\u2066et!'), ['secret@se\u202Ecr\u2066et']);
    assert.deepEqual(hits(['straße'], 'STRASSE und Straße'), ['straße@STRASSE', 'straße@Straße']);
    assert.deepEqual(hits(['café'], 'cafe\u0301 café'), ['café@cafe\u0301', 'café@café']);
  });

  it('treats each character of unspaced scripts as a token, so terms match inside them', () => {
    assert.deepEqual(hits(['机密'], '这是机密文件'), ['机密@机密']);
    assert.deepEqual(hits(['秘密'], '秘 密'), ['秘密@秘 密']);
  });

  it('handles overlapping and nested terms with one automaton (failure links)', () => {
    assert.deepEqual(hits(['a b c', 'b c d', 'c'], 'a b c d'), ['a b c@a b c', 'c@c', 'b c d@b c d']);
    assert.deepEqual(hits(['x x y'], 'x x x y'), ['x x y@x x y']);
  });

  it('ignores whitespace between punctuation tokens, but not a missing or extra token', () => {
    assert.deepEqual(hits(['competitor-x'], 'competitor - x competitor-x competitorx competitor x'), ['competitor-x@competitor - x', 'competitor-x@competitor-x']);
  });

  it('reports where the longest open match starts, for stream hold-back', () => {
    const m = TermMatcher.build(['internal project codename']);
    assert.equal(m.scan('hello internal project').openFrom, 6);
    assert.equal(m.scan('hello internal project ').openFrom, 6);
    assert.equal(m.scan('hello world ').openFrom, 12);
    assert.equal(m.scan('hello wor').openFrom, 6, 'an unfinished word is held');
  });

  it('gives the same answers scan after scan with one matcher, long terms included (its token ring is reused)', () => {
    const long = Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ');
    const m = TermMatcher.build([long, 'cat', 'w18 w19 tail']);
    const texts = [`x ${long} y`, 'a cat', `${long.split(' ').slice(0, 19).join(' ')} cat`, `${long} tail`, 'nothing here'];
    const once = texts.map((t) => m.scan(t));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < texts.length; i++) assert.deepEqual(m.scan(texts[i]), once[i], `round ${round}, text ${i}`);
    }
    assert.deepEqual(once.map((r) => r.hits.map((h) => h.term)), [[0], [1], [1], [0, 2], []]);
    assert.equal(once[4].openFrom, 'nothing '.length, 'an unfinished last word is held back');
  });

  it('counts the tokens of a term (0: empty after normalisation)', () => {
    assert.equal(termTokenCount(' \u200B '), 0);
    assert.equal(termTokenCount('a-b c'), 4);
  });

  it('scans 1 MiB of hostile text with 10,000 terms in well under a second', () => {
    const terms = Array.from({ length: 10_000 }, (_, i) => `${'a '.repeat(i % 100)}term${i}`);
    const m = TermMatcher.build(terms);
    for (const text of ['a '.repeat(524_288), 'a'.repeat(1 << 20), '\uD800'.repeat(1 << 20), 'é\u0301'.repeat(1 << 19), '- '.repeat(1 << 19)]) {
      const t0 = performance.now();
      m.scan(normalizeText(text).text);
      const ms = performance.now() - t0;
      assert.ok(ms < 700, `${ms.toFixed(0)} ms`);
    }
  });
});
