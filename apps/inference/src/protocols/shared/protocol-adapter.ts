/** The contract a protocol (wire dialect) implements to plug into {@link ProtocolHandler}'s shared request flow. */
import type { IncomingHttpHeaders } from 'node:http';
import type { CanonicalEvent, CanonicalRequest, CompletionResult, InferenceContext, Surface } from '@gw/inference';

/** Encodes canonical events into one protocol's SSE frames. */
export interface StreamEncoder {
  encode(ev: CanonicalEvent): string;
  /** Closing frames once the event stream ended normally. */
  finish(): string;
  /** After `finish()`: the answer the stream amounted to, in the non-streaming body's shape. */
  finalBody?(): unknown;
}

export interface ParsedRequest<M> {
  canonical: CanonicalRequest;
  meta: M;
}

/** What a protocol plugs into the shared request flow. */
export interface ProtocolAdapter<M> {
  surface: Surface;
  /**
   * Validates the wire body and maps it; throws a 400 GatewayError naming the field. May be async
   * (e.g. to load a stored conversation); `ctx` says who is calling, `headers` are the request's (for the
   * few a same-dialect upstream needs too, e.g. `anthropic-beta`; an adapter picks those and nothing else).
   */
  parse(body: unknown, ctx: InferenceContext, headers: IncomingHttpHeaders): ParsedRequest<M> | Promise<ParsedRequest<M>>;
  /** The JSON body of a non-streaming answer. */
  respond(result: CompletionResult, canonical: CanonicalRequest, meta: M): unknown;
  encoder(canonical: CanonicalRequest, meta: M): StreamEncoder;
  /**
   * Runs once a non-streaming answer was built (`body`), or once a stream ended normally and its
   * closing frames were built but not yet written (`body` = the encoder's `finalBody()`); e.g. to store
   * the response so a follow-up request can reference it. A rejection fails the request.
   */
  afterResponse?(canonical: CanonicalRequest, meta: M, body: unknown, ctx: InferenceContext): Promise<void>;
  heartbeat?: { frame: string; everyMs: number };
}
