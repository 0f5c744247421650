import type { ServerResponse } from 'node:http';

export interface SseWriterOptions {
  /** Extra response headers (request id, rate limits...). */
  headers?: Record<string, string>;
  /** Keep-alive interval; the frame written is protocol-specific (`: ping` comment, Anthropic `ping` event). */
  heartbeatMs?: number;
  heartbeatFrame?: string;
}

/**
 * Writes Server-Sent Events straight to the socket (the reply is hijacked from Fastify), honouring
 * backpressure so a slow client cannot make the gateway buffer a whole generation.
 */
export class SseWriter {
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    options: SseWriterOptions = {},
  ) {
    // No `connection: keep-alive` of ours: it overrode a request's `Connection: close`. Node sends what the
    // request asked for, and closes the socket after `end()` when that was `close`.
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      ...options.headers,
    });
    res.flushHeaders();
    if (options.heartbeatMs && options.heartbeatFrame) {
      const frame = options.heartbeatFrame;
      this.heartbeat = setInterval(() => this.closed || res.write(frame), options.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /**
   * Writes a frame; a promise only when the socket's buffer is full (wait for it before the next frame). Not an
   * `async` function: most frames go straight out, and one promise and microtask per delta add up over hundreds of
   * streams (issue 12).
   */
  write(frame: string): Promise<void> | undefined {
    if (this.closed || this.res.write(frame)) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  end(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (!this.closed) this.res.end();
  }
}
