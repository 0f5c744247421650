import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withPolicyField } from './policy-answers';

const POLICY = '{"policy_id":"p","decision":"allow"}';
/** Every JSON data line of the result, parsed. */
const dataLines = (frame: string) =>
  frame
    .split('\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)) as Record<string, unknown>);

void describe('withPolicyField', () => {
  void it('adds the policy object to every JSON data line, and leaves other lines alone', () => {
    const frame = 'event: a\ndata: {"type":"a","n":1}\n\nevent: b\ndata: {}\n\n: ping\n\ndata: [DONE]\n\n';
    const out = withPolicyField(frame, POLICY);
    assert.deepEqual(dataLines(out), [
      { type: 'a', n: 1, policy: { policy_id: 'p', decision: 'allow' } },
      { policy: { policy_id: 'p', decision: 'allow' } },
    ]);
    assert.ok(out.endsWith(': ping\n\ndata: [DONE]\n\n'));
    assert.ok(out.startsWith('event: a\ndata: {"type":"a","n":1,"policy":'));
    assert.equal(withPolicyField('data: [DONE]\n\n', POLICY), 'data: [DONE]\n\n');
    assert.equal(withPolicyField('', POLICY), '');
  });

  void it('keeps model text with U+2028 / U+2029 and braces intact (JSON.stringify does not escape them)', () => {
    for (const text of ['x}\u2028y', '}\u2029', 'a\u2028data: {"b":1}\u2028c', 'plain } brace', 'data: {"z":0}']) {
      const frame = `data: ${JSON.stringify({ choices: [{ delta: { content: text } }] })}\n\n`;
      const [line] = dataLines(withPolicyField(frame, POLICY));
      assert.deepEqual(line, { choices: [{ delta: { content: text } }], policy: { policy_id: 'p', decision: 'allow' } }, JSON.stringify(text));
    }
  });

  void it('touches only lines that start with the data field and end with the closing brace', () => {
    const frame = 'id: data: {x}\ndata: {"a":1} \ndata: {"b":2}';
    assert.equal(withPolicyField(frame, POLICY), `id: data: {x}\ndata: {"a":1} \ndata: {"b":2,"policy":${POLICY}}`);
  });
});
