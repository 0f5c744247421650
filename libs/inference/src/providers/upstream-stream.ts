import { StringDecoder } from 'node:string_decoder';
import type { Dispatcher } from 'undici';
import type { CanonicalEvent } from '../canonical/canonical-event';
import { isGatewayError } from '../errors/gateway-error';
import { MAX_ERROR_BODY } from './openai-compatible/read-capped';
import { RequestDeadline } from './openai-compatible/request-deadline';
import { transportError, type ErrorContext } from './openai-compatible/upstream-errors';

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
  signal: AbortSignal;
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
export async function* relayUpstreamStream(opts: UpstreamStreamOptions): AsyncGenerator<CanonicalEvent> {
  const deadline = new RequestDeadline(opts.signal, opts.timeoutMs);
  let res: Dispatcher.ResponseData | undefined;
  let yielded = false;
  let reusable = false;
  try {
    res = await opts.open(deadline);
    let events: CanonicalEvent[];
    if (String(res.headers['content-type'] ?? '').includes('application/json')) {
      events = await opts.replayJson(res, deadline);
      reusable = true;
    } else {
      const decoder = opts.decoder();
      // undici's BodyReadable.setEncoding() does not decode, so a streaming decoder joins split UTF-8 (StringDecoder:
      // the same replacement of invalid bytes as TextDecoder, at a third of its cost per chunk on Node 20).
      const utf8 = new StringDecoder('utf8');
      for await (const chunk of res.body.iterator({ destroyOnReturn: false }) as AsyncIterableIterator<Buffer>) {
        events = decoder.feed(utf8.write(chunk));
        if (decoder.done) reusable = true;
        for (const ev of events) {
          if (ev.type === 'error' && !yielded) throw ev.error;
          yielded = true;
          yield ev;
        }
        if (decoder.failed) return;
      }
      reusable = true;
      const tail = utf8.end(); // an incomplete UTF-8 sequence at EOF: U+FFFD, as TextDecoder's flush gave
      events = tail ? [...decoder.feed(tail), ...decoder.end()] : decoder.end();
    }
    for (const ev of events) {
      if (ev.type === 'error' && !yielded) throw ev.error;
      yielded = true;
      yield ev;
    }
  } catch (err) {
    const error = isGatewayError(err) ? err : transportError(err, opts.errCtx, deadline, res !== undefined);
    if (!yielded) throw error;
    yield { type: 'error', error };
  } finally {
    deadline.dispose();
    if (res && !res.body.readableEnded) {
      // After the terminator the rest is a few bytes: drain so the keep-alive socket goes back to the pool.
      if (reusable && !deadline.signal.aborted) res.body.dump({ limit: MAX_ERROR_BODY }).catch(() => undefined);
      else res.body.on('error', () => undefined).destroy(); // destroy() emits an abort error nobody awaits
    }
  }
}
