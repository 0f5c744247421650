import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectPii } from './index';

const emails = (text: string): string[] => detectPii(text, new Set(['EMAIL'])).map((m) => text.slice(m.start, m.end));

describe('EMAIL detector', () => {
  it('finds addresses in common forms, with exact boundaries', () => {
    assert.deepEqual(emails('mail john.doe@example.com now'), ['john.doe@example.com']);
    assert.deepEqual(emails('a+tag@sub.mail.example.co.uk, b_c-d@x-y.io; C.D@EXAMPLE.ORG'), ['a+tag@sub.mail.example.co.uk', 'b_c-d@x-y.io', 'C.D@EXAMPLE.ORG']);
    assert.deepEqual(emails('<ops@example.com> (sec@example.com) "q@example.com" mailto:m@example.com'), ['ops@example.com', 'sec@example.com', 'q@example.com', 'm@example.com']);
    assert.deepEqual(emails('x@startup.technology x@xn--bcher-kva.de y@shop.xn--p1ai'), ['x@startup.technology', 'x@xn--bcher-kva.de', 'y@shop.xn--p1ai']);
  });

  it('allows Unicode domains and local parts', () => {
    assert.deepEqual(emails('anna@bücher.de und jürgen@例え.jp'), ['anna@bücher.de', 'jürgen@例え.jp']);
  });

  it('drops a sentence-ending dot and leading dots, and works at the text edges', () => {
    assert.deepEqual(emails('write to a@b.com.'), ['a@b.com']);
    assert.deepEqual(emails('a@b.com'), ['a@b.com']);
    assert.deepEqual(emails('...x@y.com'), ['x@y.com']);
    const text = 'Reach me: me@example.org!';
    const [m] = detectPii(text, new Set(['EMAIL']));
    assert.deepEqual([m.start, m.end], [10, 24]);
  });

  it('rejects near-misses', () => {
    for (const t of ['root@localhost', 'x@domain.c', 'x@domain.42', '@openai', 'john@@example.com', 'user@-bad.com', 'user@bad-.com', 'a..b@example.com', 'a.@example.com', 'x@example..com', 'x@.example.com', 'x@example.com-', 'logo@2x.png', 'icon@3x.WEBP']) {
      assert.deepEqual(emails(t), [], t);
    }
  });

  it('rejects over-long local parts and domains', () => {
    assert.deepEqual(emails(`${'a'.repeat(65)}@example.com`), []);
    assert.deepEqual(emails(`${'a'.repeat(64)}@example.com`).length, 1);
    assert.deepEqual(emails(`x@${'a'.repeat(64)}.com`), [], 'a label of 64');
    assert.deepEqual(emails(`x@${'abcdefghi.'.repeat(26)}com`), [], 'a domain over 253');
  });
});
