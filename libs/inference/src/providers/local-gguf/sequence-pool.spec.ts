import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError, GatewayErrorCode } from '../../errors/gateway-error';
import { SequencePool } from './sequence-pool';

void describe('SequencePool', () => {
  void it('hands out free items, queues FIFO up to maxQueue, then refuses', async () => {
    const pool = new SequencePool(['a'], 2);
    assert.equal(await pool.acquire(), 'a');
    const second = pool.acquire();
    const third = pool.acquire();
    await assert.rejects(pool.acquire(), { code: GatewayErrorCode.UpstreamOverloaded, status: 529 });
    assert.deepEqual(pool.stats(), { running: 1, waiting: 2, capacity: 1, maxQueue: 2 });
    pool.release('a');
    assert.equal(await second, 'a');
    pool.release('a');
    assert.equal(await third, 'a');
    pool.release('a');
    assert.deepEqual(pool.stats(), { running: 0, waiting: 0, capacity: 1, maxQueue: 2 });
  });

  void it('removes an aborted waiter at once and skips it on release', async () => {
    const pool = new SequencePool([1], 1);
    await pool.acquire();
    const ac = new AbortController();
    const waiting = pool.acquire(ac.signal);
    ac.abort();
    assert.equal(pool.stats().waiting, 0);
    await assert.rejects(waiting, { code: GatewayErrorCode.ClientClosed });
    const next = pool.acquire();
    pool.release(1);
    assert.equal(await next, 1);
  });

  void it('refuses an already-aborted request, and everything after close', async () => {
    const pool = new SequencePool([1], 0);
    await assert.rejects(pool.acquire(AbortSignal.abort()), { code: GatewayErrorCode.ClientClosed });
    await pool.acquire();
    await assert.rejects(pool.acquire(), { code: GatewayErrorCode.UpstreamOverloaded });
    pool.close(new GatewayError(GatewayErrorCode.UpstreamUnavailable, 'closed'));
    await assert.rejects(pool.acquire(), { code: GatewayErrorCode.UpstreamUnavailable });
  });
});
