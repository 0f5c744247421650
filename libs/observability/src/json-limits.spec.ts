import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkJsonBytes, formatJsonPath, JsonLimitError, type JsonLimits } from './json-limits';

const LIMITS: JsonLimits = { maxDepth: 64, maxArrayItems: 1000, maxValues: 100_000 };

/** The error `checkJsonBytes` throws for `text`, or undefined. */
function verdict(text: string, limits = LIMITS): { reason: string; at: string } | undefined {
  try {
    checkJsonBytes(Buffer.from(text), limits);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof JsonLimitError, String(err));
    return { reason: err.reason, at: formatJsonPath(err.path, 'openai') };
  }
}

const nest = (n: number, open = '[', close = ']') => open.repeat(n) + close.repeat(n);

describe('checkJsonBytes', () => {
  it('accepts ordinary bodies, escapes and valid surrogate pairs', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'h\u00e9 \ud83d\ude00 "q" \\ \n\t\u0001' }], tools: [{ a: [1, 2, { b: null }] }] };
    assert.equal(verdict(JSON.stringify(body)), undefined);
    assert.equal(verdict('"\\ud83d\\ude00 \\u00e9 \\\\u0000 \\"\\u0000"'.replace('\\"\\u0000', '\\"x')), undefined, 'an escaped backslash before u0000 is text, not NUL');
    assert.equal(verdict(nest(64)), undefined);
    assert.equal(verdict(`[${Array(1000).fill(0).join(',')}]`), undefined);
  });

  it('rejects depth 65 and 10,000 with the path of the first container too deep', () => {
    assert.deepEqual(verdict(nest(65)), { reason: 'depth', at: '[0]'.repeat(64) });
    const deep = `{"model":"m","messages":[{"role":"user","content":"x"}],"zz":${nest(10_000)}}`;
    assert.deepEqual(verdict(deep), { reason: 'depth', at: `zz${'[0]'.repeat(63)}` });
    const props = `{"tools":[{"input_schema":${'{"properties":{"a":'.repeat(5000)}1${'}}'.repeat(5000)}}]}`;
    const v = verdict(props);
    assert.equal(v?.reason, 'depth');
    assert.match(v?.at ?? '', /^tools\[0\]\.input_schema\.properties\.a\.properties\.a/);
  });

  it('rejects NUL and lone surrogates in values and keys, naming the field', () => {
    assert.deepEqual(verdict('{"messages":[{"content":"ok"},{"content":"a\\u0000b"}]}'), { reason: 'nul', at: 'messages[1].content' });
    assert.deepEqual(verdict('{"label":"x","meta":{"a\\u0000b":1}}'), { reason: 'nul', at: 'meta.a\\u0000b' });
    assert.deepEqual(verdict('{"a":"\\ud800"}'), { reason: 'lone_surrogate', at: 'a' });
    assert.deepEqual(verdict('{"a":"\\udc00x"}'), { reason: 'lone_surrogate', at: 'a' });
    assert.deepEqual(verdict('{"a":"\\uD83D\\u0041"}'), { reason: 'lone_surrogate', at: 'a' });
    assert.deepEqual(verdict('"\\u0000"'), { reason: 'nul', at: '' });
  });

  it('rejects an array over the item cap and a body over the value cap', () => {
    assert.deepEqual(verdict(`{"a":[[${Array(1001).fill(0).join(',')}]]}`), { reason: 'array_items', at: 'a[0]' });
    assert.equal(verdict(`[${Array(1000).fill('{}').join(',')}]`, { ...LIMITS, maxValues: 500 })?.reason, 'values');
  });

  it('stays linear on strings full of escapes', () => {
    const text = JSON.stringify({ a: '\n"'.repeat(500_000) });
    const t0 = performance.now();
    assert.equal(verdict(text), undefined);
    assert.ok(performance.now() - t0 < 500, `${performance.now() - t0} ms`);
  });

  it('finds every closing quote and escape whatever the string length, around the 64-byte JS scan', () => {
    for (const len of [0, 1, 62, 63, 64, 65, 66, 127, 128, 129, 5_000]) {
      const text = 'é'.repeat(len >> 1) + 'x'.repeat(len & 1); // multi-byte UTF-8: byte and char positions differ
      assert.equal(verdict(JSON.stringify({ a: text, b: [text, { c: text }] })), undefined, `length ${len}`);
      assert.deepEqual(verdict(`{"a":"${text}","b":["${text}\\u0000"]}`), { reason: 'nul', at: 'b[0]' }, `length ${len}`);
      assert.deepEqual(verdict(`{"k":"${text}\\"${'x'.repeat(len)}","d":${nest(65)}}`), { reason: 'depth', at: `d${'[0]'.repeat(63)}` }, `length ${len}`);
    }
    assert.equal(verdict(`{"a":"${'x'.repeat(100)}`), undefined, 'an unterminated string is left to the parser');
  });

  it('carries nothing from one body to the next (its per-level state is reused)', () => {
    assert.equal(verdict(`{"a":[[{"b":${nest(70)}}]]}`)?.reason, 'depth');
    assert.deepEqual(verdict('[1,2,{"x":"\\u0000"}]'), { reason: 'nul', at: '[2].x' });
    assert.deepEqual(verdict('{"m":[{"c":"ok"},{"c":"\\ud800"}]}'), { reason: 'lone_surrogate', at: 'm[1].c' });
    assert.equal(verdict(JSON.stringify({ deep: JSON.parse(nest(60)) as unknown })), undefined);
  });

  it('never relies on lone surrogates being escapes: UTF-8 decoding cannot produce one', () => {
    assert.equal(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]).toString('utf8'), '"\ufffd\ufffd\ufffd"');
  });
});

describe('formatJsonPath', () => {
  it('speaks OpenAI param and Anthropic dotted notation, escaping hostile keys', () => {
    const path = ['messages', 0, 'content', 2, 'a\u0000"'];
    assert.equal(formatJsonPath(path, 'openai'), 'messages[0].content[2].a\\u0000\\"');
    assert.equal(formatJsonPath(path, 'dotted'), 'messages.0.content.2.a\\u0000\\"');
    assert.equal(formatJsonPath([3, 'x'.repeat(100)], 'openai').length, 3 + 1 + 64);
  });
});
