import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake's HTTP server on 127.0.0.1: its port, and a close that also ends open connections and pending timers. */
export interface LocalServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The scaffolding every fake upstream shares: a node:http server on 127.0.0.1 (port 0 = a free one) that reads
 * each request's body as UTF-8 and hands it to `handle`; malformed requests just close their socket. `close()`
 * clears `timers` (the fake's delayed answers), drops open connections and waits for the server to close.
 */
export async function listenLocal(handle: (req: IncomingMessage, res: ServerResponse, raw: string) => void, timers: Set<NodeJS.Timeout>, port = 0): Promise<LocalServer> {
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => handle(req, res, raw));
    req.on('error', () => undefined);
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
