import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clampInt, finiteNonNegative, INT2_MAX, safeIsoTime, safeText, sanitizeJson } from './sanitize.util';

describe('sanitize helpers', () => {
  it('safeText replaces NUL and lone surrogates, keeps valid pairs, caps the length', () => {
    assert.equal(safeText('bad\u0000model'), 'bad\uFFFDmodel');
    assert.equal(safeText('a\ud800b\udc00c'), 'a\uFFFDb\uFFFDc');
    assert.equal(safeText('ok 😀'), 'ok 😀');
    assert.equal(safeText('ab😀', 3), 'ab\uFFFD', 'a pair cut in half is replaced, not left lone');
    assert.equal(Buffer.from(safeText('x\u0000\udfff')).includes(0), false);
  });

  it('clampInt / finiteNonNegative keep numbers within column ranges', () => {
    assert.equal(clampInt(77_777, 0, INT2_MAX), INT2_MAX);
    assert.equal(clampInt(-5, 0, 10), 0);
    assert.equal(clampInt(NaN, 0, 10, 3), 3);
    assert.equal(clampInt(Infinity, 0, 10), 10);
    assert.equal(clampInt('7', 0, 10), 0);
    assert.equal(clampInt(2.6, 0, 10), 3);
    assert.equal(finiteNonNegative(Infinity, 100), 100);
    assert.equal(finiteNonNegative(NaN), 0);
    assert.equal(finiteNonNegative(-1), 0);
  });

  it('safeIsoTime accepts what Postgres accepts, else the fallback', () => {
    assert.equal(safeIsoTime('2026-12-04T07:00:00.000Z'), '2026-12-04T07:00:00.000Z');
    assert.equal(safeIsoTime('-271000-01-01T00:00:00.000Z', () => 'F'), 'F');
    assert.equal(safeIsoTime('not a date', () => 'F'), 'F');
    assert.equal(safeIsoTime(0), '1970-01-01T00:00:00.000Z');
  });

  it('safeIsoTime answers as parsing and printing again would, for canonical strings and near misses alike', () => {
    // The reference: what safeIsoTime did before it returned canonical strings as they are.
    const reference = (v: string): string => {
      const ms = Date.parse(v);
      return !Number.isFinite(ms) || ms < -62_135_596_800_000 || ms > 253_402_300_799_999 ? 'F' : new Date(ms).toISOString();
    };
    const samples = [
      '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '0000-12-31T23:59:59.999Z', '2024-02-29T12:00:00.000Z',
      '2023-02-29T12:00:00.000Z', '2026-02-30T00:00:00.000Z', '1900-02-29T00:00:00.000Z', '2000-02-29T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-00-10T00:00:00.000Z', '2026-01-00T00:00:00.000Z',
      '2026-01-01T24:00:00.000Z', '2026-01-01T23:60:00.000Z', '2026-01-01T23:59:60.000Z', '2026-01-01T23:59:59.99Z',
      '2026-01-01 23:59:59.000Z', '2026-01-01T23:59:59.000+00:00', '2026-01-01T23:59:59.0a0Z', '+02026-01-01T00:00:00.000Z',
      '２026-01-01T00:00:00.000Z', '2026-1-01T00:00:00.000Z', '2026-01-01T00:00:00.000z', '',
    ];
    let seed = 12345;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2_000; i++) {
      const iso = new Date(-62_135_596_800_000 + Math.floor(next() * 315_537_897_600_000)).toISOString();
      samples.push(iso);
      const at = Math.floor(next() * iso.length); // one character changed: a digit, a separator or a letter
      samples.push(iso.slice(0, at) + '0193:-TZ.x'[Math.floor(next() * 10)] + iso.slice(at + 1));
    }
    for (const s of samples) assert.equal(safeIsoTime(s, () => 'F'), reference(s), s);
  });

  it('sanitizeJson yields what jsonb accepts, keys included', () => {
    const dirty = { 'k\u0000': ['v\u0000', 1, NaN, Infinity, { deep: '\udc00' }], fn: () => 1, u: undefined, d: new Date(0), big: 2n };
    const clean = sanitizeJson(dirty);
    assert.deepEqual(clean, { 'k\uFFFD': ['v\uFFFD', 1, null, null, { deep: '\uFFFD' }], d: '1970-01-01T00:00:00.000Z', big: '2' });
    assert.doesNotMatch(JSON.stringify(clean), /\\u0000|\\ud[89a-f]/i);
  });

  it('sanitizeJson returns a value that needs nothing as it is, and copies one that does', () => {
    const clean = { a: 'text with an emoji-free body', n: [1, 2.5, -3], nested: { ok: true, none: null, list: [{ x: 'y' }] } };
    assert.equal(sanitizeJson(clean), clean, 'nothing to change: no copy');
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: 'v' });
    assert.equal(sanitizeJson(bare), bare);
    // Each of these needs the copy, at any depth; the input is never changed.
    for (const bad of ['\u0000', NaN, undefined, 2n, new Date(0), () => 1]) {
      const input = { top: 'fine', deep: { list: [1, { leaf: bad }] } };
      const out = sanitizeJson(input) as typeof input;
      assert.notEqual(out, input);
      assert.equal(input.deep.list[1] && (input.deep.list[1] as { leaf: unknown }).leaf, bad);
      assert.doesNotThrow(() => JSON.stringify(out));
    }
    // A valid surrogate pair (an emoji) is kept as it is, through the copy path.
    assert.deepEqual(sanitizeJson({ e: '\u{1F600}' }), { e: '\u{1F600}' });
    // Past maxDepth, containers become null whether or not they were clean.
    assert.deepEqual(sanitizeJson({ a: { b: { c: 1 } } }, 2), { a: { b: null } });
    assert.deepEqual(sanitizeJson([[[1]]], 2), [[null]]);
  });
});
