import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy } from './compile';
import { OutputScanner, piiTail } from './output-scanner';
import { Redactor } from './redactor';

function stream(doc: unknown, deltas: string[], enforced = true, holdLimit = 256) {
  const sc = new OutputScanner(compilePolicy(doc), { enforced, redactor: new Redactor(), holdLimit });
  const emitted: string[] = [];
  let stop: unknown;
  for (const d of deltas) {
    const step = sc.push(d);
    emitted.push(step.emit);
    stop ??= step.stop;
  }
  const last = sc.end();
  emitted.push(last.emit);
  stop ??= last.stop;
  return { text: emitted.join(''), emitted, stop, sc };
}
const chars = (s: string) => [...s];
const REDACT = { config: { rules: { redact_pii: true } } };
const DENY = { config: { rules: { denylist: ['secret project phoenix'] } } };

describe('OutputScanner', () => {
  it('redacts PII split into 1-character deltas', () => {
    const r = stream(REDACT, chars('mail bob@example.com, card 4111 1111 1111 1111 or +1 (415) 555-2671 ok'));
    assert.equal(r.text, 'mail [EMAIL_1], card [CREDIT_CARD_1] or [PHONE_1] ok');
  });

  it('stops at a denied phrase split across deltas, emitting only what came before it', () => {
    const r = stream(DENY, chars('Sure. The Secret\n project  PHOENIX is next.'));
    assert.equal(r.text, 'Sure. The ');
    assert.deepEqual(r.stop, { kind: 'denylist', type: 'secret project phoenix' });
    assert.deepEqual(r.sc.findings.map((f) => [f.kind, f.start, f.end]), [['denylist', 10, 34]]);
  });

  it('releases text as soon as no match can be open (the first words are not held)', () => {
    const r = stream(DENY, ['Hello world, ', 'this is fine. ', 'secret ', 'garden']);
    // 'secret ' stays held while the next word is unfinished (it could still be 'project').
    assert.deepEqual(r.emitted, ['Hello world, ', 'this is fine. ', '', '', 'secret garden']);
  });

  it('never holds more than the hold limit', () => {
    const r = stream(REDACT, chars('x'.repeat(1000)), true, 64);
    assert.ok(r.emitted.slice(0, -1).join('').length >= 1000 - 64);
    assert.equal(r.text, 'x'.repeat(1000));
  });

  it('observes without changing the text when not enforced', () => {
    const r = stream({ config: { rules: { redact_pii: true, denylist: ['secret project phoenix'] } } }, chars('bob@example.com and secret project phoenix.'), false);
    assert.equal(r.text, 'bob@example.com and secret project phoenix.');
    assert.equal(r.stop, undefined);
    assert.deepEqual(r.sc.findings.map((f) => f.kind).sort(), ['denylist', 'pii']);
  });

  it('swallows a streamed PEM private key behind one placeholder', () => {
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${'MIIEowIBAAKCAQEA'.repeat(40)}\n-----END RSA PRIVATE KEY-----`;
    const r = stream(REDACT, ['key:\n', ...pem.match(/.{1,7}/gs)!, '\nbye']);
    assert.equal(r.text, 'key:\n[SECRET_1]\nbye');
  });

  it('finds the start of a trailing value in progress', () => {
    assert.equal(piiTail('card 4111 1111 11'), 5);
    assert.equal(piiTail('call +44 20 7946 '), 5);
    assert.equal(piiTail('hello world '), 12);
    assert.equal(piiTail('mail bob@exa'), 5);
    assert.equal(piiTail('IBAN DE89 3704 '), 5);
    assert.equal(piiTail('token tok000 '), 13, 'a word ending in digits is not a number in progress');
    assert.equal(piiTail('version v2 '), 11);
  });
});
