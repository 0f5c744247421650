import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BODY_SIZES, bodyText, SURFACES } from './s4-bodies';
import { allStages } from './s4-stage-defs';
import { EMPTY_STAGE, timeStages } from './s4-timer';

// The S4 stages price the gateway's accepted path: a body it refuses, or a cache that stopped being hit after a
// change in the identity library, would make the bench time an error path instead.
describe('S4 ladder stages', () => {
  it('bodies are valid JSON of the advertised sizes, and escapes survive', () => {
    const limits: Record<string, [number, number]> = { small: [250, 400], '8k': [8 * 1024, 8 * 1024 + 600], '64k': [64 * 1024, 64 * 1024 + 600] };
    for (const surface of SURFACES) {
      for (const size of BODY_SIZES) {
        const text = bodyText(surface, size, 'm');
        const bytes = Buffer.byteLength(text);
        assert.ok(bytes >= limits[size][0] && bytes <= limits[size][1], `${surface} ${size}: ${bytes} B`);
        const parsed = JSON.stringify(JSON.parse(text));
        if (size !== 'small') assert.match(parsed, /"enterprise\\".*naïve résumé/s, `${surface} ${size}: escapes decoded`);
      }
    }
  });

  it('every stage runs on the accepted path (validators accept, caches are hit) and is timed per call', async () => {
    const notes: string[] = [];
    const stages = await allStages('abliterated-model', notes);
    assert.deepEqual(notes, []);
    for (const surface of SURFACES) assert.ok(stages.some((s) => s.stage.startsWith(`${surface}: validator`)), surface);
    assert.ok(stages.some((s) => s.stage.startsWith('API key auth')) && stages.some((s) => s.stage.startsWith('login token')));
    // Each identity stage's repository throws on a second database read: a cache miss fails here.
    const rows = await timeStages([EMPTY_STAGE, ...stages.filter((s) => s.body !== '64k')], { warmup: 2, iterations: 6, rounds: 2 });
    for (const r of rows) {
      assert.equal(r.n, 6, r.stage);
      assert.ok(Number.isFinite(r.p50Us) && r.p50Us >= 0 && r.p99Us >= r.p50Us, `${r.stage}: ${r.p50Us} / ${r.p99Us}`);
    }
  });
});
