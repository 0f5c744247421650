import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Test support: small node:http servers on 127.0.0.1 with a random port, and fault injection for receivers. */

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Requests received, whatever their outcome. */
  readonly requests: number;
  close(): Promise<void>;
}

/** A server that can go down and come back on the same port. */
export interface Pausable {
  /** Stops listening (connections refused, as a receiver that is down) until {@link resume}. */
  pause(): Promise<void>;
  /** Listens again on the same port. */
  resume(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

/** The whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Answers `status` with a JSON (or text) body. */
export function answer(res: ServerResponse, status: number, body: unknown = '', headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
  res.end(text);
}

/** Closes a server's connections and stops it listening (it can listen again). */
export const stopServer = (server: Pick<Server, 'closeAllConnections' | 'close'>): Promise<void> =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** Starts a server whose handler gets the whole body; a throwing handler answers 500. */
export async function listen(handler: Handler): Promise<TestServer & Pausable> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    readBody(req)
      .then((body) => handler(req, res, body))
      .catch((err: unknown) => {
        if (!res.headersSent) answer(res, 500, String(err));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: () => stopServer(server),
    pause: () => stopServer(server),
    resume: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
  };
}

/** A server that reads requests and never answers: the receiver of timeout tests. */
export const listenSilently = (): Promise<TestServer> => listen(() => undefined);

/** An injected answer. */
export interface Fault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Faults a receiver applies after checking a request (so a bad signature is still refused as such): the next
 * `n` requests fail, or every request fails, or none is answered at all (`hang`).
 */
export class Faults {
  /** Upcoming requests: a fault, or null to serve one normally. */
  private queue: Array<Fault | null> = [];
  private permanent: Fault | null = null;
  hang = false;

  /** After `after` normal answers, the next `n` requests get `fault` (then normal service resumes). */
  failNext(n: number, fault: Fault = { status: 503, body: 'unavailable' }, after = 0): void {
    for (let i = 0; i < after; i++) this.queue.push(null);
    for (let i = 0; i < n; i++) this.queue.push(fault);
  }

  /** Every request gets `fault` until `always(null)`. */
  always(fault: Fault | null): void {
    this.permanent = fault;
  }

  /** No more faults. */
  reset(): void {
    this.queue = [];
    this.permanent = null;
    this.hang = false;
  }

  /** Applies the next fault to `res`; true when the request was taken care of (answered, or left hanging). */
  apply(res: ServerResponse): boolean {
    if (this.hang) return true;
    const next = this.queue.length > 0 ? this.queue.shift() : undefined;
    if (next === null) return false;
    const f = next ?? this.permanent;
    if (!f) return false;
    answer(res, f.status, f.body ?? '', f.headers);
    return true;
  }
}
