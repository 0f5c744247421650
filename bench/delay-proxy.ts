/**
 * A TCP relay that delays every chunk by DELAY_MS in each direction: Postgres or Redis "in another zone" for
 * `BENCH_SERVICE_DELAY_MS` (bench/production.sh). Chunks keep their order (timers of equal delay fire in order).
 * Written by hand: 20 lines of node:net; no library does a per-chunk delay without a kernel qdisc, which this VM lacks.
 * Env: PORT, TARGET (host:port), DELAY_MS.
 */
import { connect, createServer, type Socket } from 'node:net';

const port = Number(process.env.PORT);
const [host, targetPort] = (process.env.TARGET ?? '').split(':');
const delayMs = Number(process.env.DELAY_MS ?? 1);

const relay = (from: Socket, to: Socket): void => {
  from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
};

createServer((client) => {
  const upstream = connect(Number(targetPort), host);
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  relay(client, upstream);
  relay(upstream, client);
  const end = (): void => {
    client.destroy();
    upstream.destroy();
  };
  for (const s of [client, upstream]) s.on('error', end).on('close', end);
}).listen(port, '127.0.0.1', () => process.stdout.write(`delay-proxy ${port} -> ${host}:${targetPort} (+${delayMs} ms each way)\n`));
