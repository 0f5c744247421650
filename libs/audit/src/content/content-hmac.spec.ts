import assert from 'node:assert/strict';
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ContentHmacKeys } from './content-hmac';

const master = randomBytes(32);
const keys = new ContentHmacKeys(master);
const expected = (org: string, text: string) => createHmac('sha256', keys.keyFor(org)).update(text, 'utf8').digest('hex');

function streamed(org: string, deltas: string[]) {
  const d = keys.digest(org);
  d.prompt('the prompt');
  for (const delta of deltas) d.output(delta);
  return d.digests();
}

describe('ContentHmacKeys', () => {
  it('hmac is HMAC-SHA256 under HKDF-SHA256(master, the v1 label, org id), computed here from the raw key bytes', () => {
    const raw = Buffer.from(hkdfSync('sha256', master, 'policy-gateway audit content hmac v1', 'org-a', 32));
    const text = 'caf\u00e9 \u{1F600} prompt';
    assert.equal(keys.hmac('org-a', text), createHmac('sha256', raw).update(text, 'utf8').digest('hex'));
    assert.equal(keys.hmac('org-a', text), keys.hmac('org-a', text), 'the cached key gives the same digest');
  });
});

describe('RequestContentDigest', () => {
  it('output_hmac is the HMAC of the concatenated output, across the 4 KB feed chunks', () => {
    const deltas = Array.from({ length: 3000 }, (_, i) => `tok${i} `);
    const out = streamed('org-a', deltas);
    assert.equal(out.output_hmac, expected('org-a', deltas.join('')));
    assert.equal(out.prompt_hmac, expected('org-a', 'the prompt'));
  });

  it('a surrogate pair split between two deltas is hashed as the character (what an auditor hashes), at a chunk edge too', () => {
    const emoji = '\u{1F600}'; // two UTF-16 units
    for (const before of [1, 4095, 4094]) {
      const text = 'x'.repeat(before) + emoji + ' done';
      const at = before + 1; // between the high and the low surrogate
      const out = streamed('org-b', [text.slice(0, at), text.slice(at)]);
      assert.equal(out.output_hmac, expected('org-b', text), `split after ${before} characters`);
    }
  });

  it('no output: output_hmac is null; digests are per organisation', () => {
    assert.equal(streamed('org-a', []).output_hmac, null);
    assert.notEqual(streamed('org-a', ['same']).output_hmac, streamed('org-b', ['same']).output_hmac);
  });
});
