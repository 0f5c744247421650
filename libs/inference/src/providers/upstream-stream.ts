import type { Dispatcher } from 'undici';
import type { CanonicalEvent } from '../canonical/canonical-event';
import type { CallSignal } from '../service/call-abort';
import type { RequestDeadline } from '../service/request-deadline';
import type { ErrorContext } from './openai-compatible/upstream-errors';
import { UpstreamEvents } from './upstream-events';

/** An upstream's SSE body → canonical events, fed text as it arrives. */
export interface UpstreamStreamDecoder {
  feed(text: string): CanonicalEvent[];
  /** The body ended: closing events, or an error when the stream stopped early. */
  end(): CanonicalEvent[];
  /** The stream's terminator arrived: the socket can go back to the pool. */
  readonly done: boolean;
  readonly failed: boolean;
}

export interface UpstreamStreamOptions {
  signal: CallSignal;
  timeoutMs: number;
  errCtx: ErrorContext;
  /** Sends the request; resolves with a 2xx response or throws a GatewayError. */
  open(deadline: RequestDeadline): Promise<Dispatcher.ResponseData>;
  /** The upstream ignored `stream: true` and answered JSON: its whole answer as events. */
  replayJson(res: Dispatcher.ResponseData, deadline: RequestDeadline): Promise<CanonicalEvent[]>;
  decoder(): UpstreamStreamDecoder;
}

/**
 * The streaming half every HTTP provider shares: bounded by a deadline, failures before the first event
 * thrown (ordinary HTTP errors for the caller) and after it yielded as an `error` event; the socket goes
 * back to the keep-alive pool once the terminator arrived, and is destroyed otherwise.
 */
export function relayUpstreamStream(opts: UpstreamStreamOptions): AsyncIterableIterator<CanonicalEvent> {
  return new UpstreamEvents(opts);
}
