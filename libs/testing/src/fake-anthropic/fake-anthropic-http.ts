import type { ServerResponse } from 'node:http';
import type { AnthropicRecordedRequest } from './fake-anthropic.types';

/** Small HTTP pieces of the fake Anthropic upstream: bodies, the error envelope, and the request log. */

export function sendText(res: ServerResponse, status: number, type: string, payload: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  sendText(res, status, 'application/json', JSON.stringify(payload));
}

let errorNo = 0;
/** Anthropic's error envelope: `{type:"error", error:{type, message}, request_id}`. */
export function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: 'error', error: { type, message }, request_id: `req_fake_${++errorNo}` });
}

/** Every request in arrival order, and waiters for ones still to come. */
export class RequestLog {
  readonly requests: AnthropicRecordedRequest[] = [];
  private readonly waiters = new Set<(r: AnthropicRecordedRequest) => void>();

  add(rec: AnthropicRecordedRequest): void {
    this.requests.push(rec);
    for (const w of [...this.waiters]) w(rec);
  }

  waitFor(predicate: (r: AnthropicRecordedRequest) => boolean, timeoutMs: number): Promise<AnthropicRecordedRequest> {
    const found = this.requests.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise<AnthropicRecordedRequest>((resolve, reject) => {
      const waiter = (r: AnthropicRecordedRequest): void => {
        if (!predicate(r)) return;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`fake anthropic: no matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
