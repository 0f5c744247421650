import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { InflightRegistry } from './inference/src/protocols/shared/inflight.registry';
import { ShutdownPhases } from './shutdown-phases';

/** A pino logger that keeps its lines, parsed. */
function captured(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('shutdown phases', () => {
  it('names a step that is still running, with its detail, before the step ends', async () => {
    const { logger, lines } = captured();
    const phases = new ShutdownPhases(logger, 30);
    let seenWhileRunning: Record<string, unknown> | undefined;
    await phases.run(
      'drain',
      async () => {
        await sleep(80);
        seenWhileRunning = lines.find((l) => l.msg === 'shutdown step still running');
      },
      () => ({ inflight: [{ requestId: 'req_1' }] }),
    );
    assert.equal(seenWhileRunning?.phase, 'drain');
    assert.deepEqual(seenWhileRunning?.inflight, [{ requestId: 'req_1' }]);
    assert.equal(lines.filter((l) => l.msg === 'slow shutdown step ended').length, 1);
    phases.done();
    const summary = lines.at(-1)!;
    assert.equal(summary.msg, 'stopped');
    assert.equal(summary.level, 40, 'a slow shutdown is summarised at warn');
    assert.ok(((summary.phases as Record<string, number>).drain ?? 0) >= 80);
  });

  it('stays quiet at warn for quick steps, and times a step that fails', async () => {
    const { logger, lines } = captured();
    const phases = new ShutdownPhases(logger, 1_000);
    await phases.run('quick', () => Promise.resolve(1));
    await assert.rejects(phases.run('broken', () => Promise.reject(new Error('no'))), /no/);
    phases.done();
    assert.deepEqual(lines.map((l) => [l.level, l.msg]), [[30, 'stopped']]);
    assert.deepEqual(Object.keys(lines[0].phases as object), ['quick', 'broken']);
  });
});

describe('in-flight registry', () => {
  it('lists what is in flight oldest first, and on drain cuts and reports the stragglers', async () => {
    const reg = new InflightRegistry();
    const now = Date.now();
    const quick = new AbortController();
    const stuck = new AbortController();
    const releaseQuick = reg.add(quick, { requestId: 'quick', surface: 'chat', startedAtMs: now - 10 });
    reg.add(stuck, { requestId: 'stuck', surface: 'messages', startedAtMs: now - 5_000 });
    assert.deepEqual(reg.pending(now).map((p) => [p.requestId, p.ageMs]), [['stuck', 5_000], ['quick', 10]]);
    setTimeout(releaseQuick, 20);
    const started = Date.now();
    const cut = await reg.drain(200);
    assert.ok(Date.now() - started >= 200, 'the drain waits out its grace while a request is in flight');
    assert.deepEqual(cut.map((s) => [s.requestId, s.surface]), [['stuck', 'messages']]);
    assert.equal(stuck.signal.aborted, true);
    assert.equal(quick.signal.aborted, false);
    assert.equal(reg.draining, true);
  });
});
