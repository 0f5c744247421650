/**
 * {@link UpstreamEvents}' steps that need none of its state: decoding the body, mapping failures, handing results to
 * the consumer, draining the body.
 */
import type { StringDecoder } from 'node:string_decoder';
import type { Dispatcher } from 'undici';
import type { CanonicalEvent } from '../canonical/canonical-event';
import { isGatewayError, type GatewayError } from '../errors/gateway-error';
import type { RequestDeadline } from '../service/request-deadline';
import { MAX_ERROR_BODY } from './openai-compatible/read-capped';
import { transportError } from './openai-compatible/upstream-errors';
import type { UpstreamStreamDecoder, UpstreamStreamOptions } from './upstream-stream';

export type UpstreamResponse = Dispatcher.ResponseData;
export type Waiter = { resolve: (r: IteratorResult<CanonicalEvent>) => void; reject: (e: unknown) => void };

/** Deltas the body may run ahead of the consumer before it is paused (backpressure to the upstream socket). */
export const HIGH_WATER = 64;
export const DONE: IteratorResult<CanonicalEvent> = Object.freeze({ done: true, value: undefined });

/** A failure `next()` rejects with (told apart from an iterator result by its class). */
export class Failure {
  constructor(readonly error: GatewayError) {}
}

/** Settles a waiting `next()` with what `poll()` answered. */
export function deliver(waiter: Waiter, now: IteratorResult<CanonicalEvent> | Failure): void {
  if (now instanceof Failure) waiter.reject(now.error);
  else waiter.resolve(now);
}

/** `err` as the stream's GatewayError (a transport failure mapped, naming the upstream). */
export function upstreamError(err: unknown, opts: UpstreamStreamOptions, deadline: RequestDeadline, res: UpstreamResponse | undefined): GatewayError {
  return isGatewayError(err) ? err : transportError(err, opts.errCtx, deadline, res !== undefined);
}

/** The body's last events once it ended: an incomplete UTF-8 sequence at EOF is U+FFFD, as TextDecoder's flush gave. */
export function finalEvents(utf8: StringDecoder, decoder: UpstreamStreamDecoder): CanonicalEvent[] {
  const tail = utf8.end();
  return tail ? [...decoder.feed(tail), ...decoder.end()] : decoder.end();
}

/**
 * A body not read to its end once the stream is over: drained when `reusable` (a terminator arrived: the keep-alive
 * socket goes back to the pool) and the deadline did not fire, else destroyed.
 */
export function settleBody(body: UpstreamResponse['body'], bytesRead: number, reusable: boolean, deadline: RequestDeadline): void {
  if (body.readableEnded) return;
  // dump()'s limit counts every byte the body read (delivered, and buffered while paused), not only the drained ones.
  const limit = bytesRead + body.readableLength + MAX_ERROR_BODY;
  if (reusable && !deadline.signal.aborted) body.dump({ limit }).catch(() => undefined);
  else body.on('error', () => undefined).destroy(); // destroy() emits an abort error nobody awaits
}
