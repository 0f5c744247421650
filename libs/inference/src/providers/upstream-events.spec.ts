import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import type { CanonicalEvent } from '../canonical/canonical-event';
import { GatewayError, GatewayErrorCode } from '../errors/gateway-error';
import { relayUpstreamStream, type UpstreamStreamDecoder } from './upstream-stream';

/** Line protocol for the spec: `t <text>` → text_delta, `e` → an error event, `done` → terminator. */
class LineDecoder implements UpstreamStreamDecoder {
  done = false;
  failed = false;
  private rest = '';
  feed(text: string): CanonicalEvent[] {
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop()!;
    const out: CanonicalEvent[] = [];
    for (const line of lines) {
      if (this.done || this.failed) break;
      if (line === 'done') this.done = true;
      else if (line === 'e') {
        this.failed = true;
        out.push({ type: 'error', error: new GatewayError(GatewayErrorCode.UpstreamError, 'upstream said e') });
      } else out.push({ type: 'text_delta', text: line.slice(2) });
    }
    return out;
  }
  end(): CanonicalEvent[] {
    return this.done || this.failed ? [] : [{ type: 'error', error: new GatewayError(GatewayErrorCode.UpstreamError, 'ended early') }];
  }
}

const CTX = { providerId: 'spec', timeoutMs: 5_000, connectTimeoutMs: 1_000 };

void describe('relayUpstreamStream: the upstream body as a queue of events', () => {
  let server: Server;
  let base: string;
  const agent = new Agent({ connections: 4 });
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  let connections = 0;
  before(async () => {
    server = createServer((req, res) => routes.get(req.url!)!(req, res));
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await agent.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const open = (path: string, signal = new AbortController().signal, timeoutMs = 5_000) =>
    relayUpstreamStream({
      signal,
      timeoutMs,
      errCtx: CTX,
      open: (deadline) => request(`${base}${path}`, { dispatcher: agent, signal: deadline.signal }),
      replayJson: async (res) => [{ type: 'text_delta', text: JSON.stringify(await res.body.json()) }],
      decoder: () => new LineDecoder(),
    });
  const texts = (evs: CanonicalEvent[]) => evs.map((e) => (e.type === 'text_delta' ? e.text : e.type === 'error' ? `error:${e.error.message}` : e.type));
  const collect = async (it: AsyncIterable<CanonicalEvent>) => {
    const out: CanonicalEvent[] = [];
    for await (const ev of it) out.push(ev);
    return out;
  };
  /** Three streams on `path` (`body`, then a late trailer), each read by `read` and returned: how many new connections. */
  const connectionsForThree = async (path: string, body: string, read: (s: AsyncIterableIterator<CanonicalEvent>) => Promise<void>) => {
    routes.set(path, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(body);
      setTimeout(() => res.end('trailing bytes\n'), 20);
    });
    const before = connections;
    for (let i = 0; i < 3; i++) {
      const s = open(path);
      await read(s);
      await s.return!();
      await new Promise((r) => setTimeout(r, 40)); // the trailer is drained, the socket is free again
    }
    return connections - before;
  };

  void it('delivers every event in order, splitting nothing, when the body runs far ahead of the consumer', async () => {
    routes.set('/many', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // 5,000 events in one burst, a 2-byte character split across writes: the queue must pause the body, not drop.
      const body = Array.from({ length: 5000 }, (_, i) => `t ${i}é\n`).join('') + 'done\n';
      const bytes = Buffer.from(body);
      for (let i = 0; i < bytes.length; i += 1001) res.write(bytes.subarray(i, i + 1001));
      res.end();
    });
    const it = open('/many');
    const out: string[] = [];
    for await (const ev of it) {
      out.push(texts([ev])[0]);
      if (out.length % 500 === 0) await new Promise((r) => setTimeout(r, 5)); // a slow consumer
    }
    assert.equal(out.length, 5000);
    assert.deepEqual(out.slice(0, 3), ['0é', '1é', '2é']);
    assert.equal(out.at(-1), '4999é');
  });

  void it('throws a failure that comes before any event, and yields one that comes after events as an error event', async () => {
    routes.set('/first-error', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('e\n');
    });
    await assert.rejects(collect(open('/first-error')), /upstream said e/);
    routes.set('/later-error', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('t a\nt b\ne\nt never\n');
    });
    assert.deepEqual(texts(await collect(open('/later-error'))), ['a', 'b', 'error:upstream said e']);
  });

  void it('reports a body cut mid-stream as an error event after what arrived', async () => {
    routes.set('/cut', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('t a\n');
      setTimeout(() => res.socket!.destroy(), 20);
    });
    const out = texts(await collect(open('/cut')));
    assert.equal(out[0], 'a');
    assert.match(out[1], /^error:Upstream 'spec' broke off the response/);
    assert.equal(out.length, 2);
  });

  void it('replays a JSON answer and bounds a silent upstream by the deadline', async () => {
    routes.set('/json', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":1}'));
    assert.deepEqual(texts(await collect(open('/json'))), ['{"a":1}']);
    routes.set('/silent', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('t a\n');
    });
    const out = texts(await collect(open('/silent', undefined, 300)));
    assert.deepEqual(out, ['a', "error:Upstream 'spec' did not answer within 5000 ms"]);
  });

  void it('return() stops reading: mid-stream the socket is destroyed, after the terminator it goes back to the pool', async () => {
    let closed = 0;
    routes.set('/endless', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => res.write('t x\n'), 5);
      req.socket.on('close', () => {
        clearInterval(timer);
        closed++;
      });
    });
    const it = open('/endless');
    assert.equal(((await it.next()).value as { text: string }).text, 'x');
    assert.deepEqual(await it.return!(), { done: true, value: undefined });
    assert.deepEqual(await it.next(), { done: true, value: undefined });
    for (let i = 0; i < 100 && closed === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(closed, 1, 'the endless stream was cut');

    const opened = await connectionsForThree('/done-then-trailer', 't a\ndone\n', async (s) => {
      assert.equal(((await s.next()).value as { text: string }).text, 'a');
    });
    assert.ok(opened <= 1, `one keep-alive connection for three streams, saw ${opened}`);
  });

  void it('a long stream (more than the drain allowance already read) still goes back to the pool after its terminator', async () => {
    // undici's dump() counts every byte the body has read, not only the drained ones: a limit of the drain allowance
    // alone would destroy the socket of any stream longer than it.
    const long = `t ${'y'.repeat(1_000)}\n`.repeat(100); // ~100 KB of deltas, more than MAX_ERROR_BODY (64 KB)
    const opened = await connectionsForThree('/long-then-trailer', `${long}done\n`, async (s) => {
      let n = 0;
      for (let r = await s.next(); !r.done && r.value.type === 'text_delta'; r = await s.next()) if (++n === 100) break;
      assert.equal(n, 100);
    });
    assert.ok(opened <= 1, `one keep-alive connection for three long streams, saw ${opened}`);
  });

  void it('return() while the call is still opening: the request is cut when it answers, nothing is read', async () => {
    let got = 0;
    let closed = 0;
    routes.set('/slow-open', (req, res) => {
      got++;
      req.socket.on('close', () => closed++);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('t late\n');
      }, 50);
    });
    const it = open('/slow-open');
    const first = it.next();
    await it.return!();
    assert.deepEqual(await first, { done: true, value: undefined });
    for (let i = 0; i < 200 && closed === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got, 1);
    assert.equal(closed, 1, 'the connection of the abandoned call was closed');
  });
});
