import {
  GatewayError,
  GatewayErrorCode,
  type CanonicalMessage,
  type CanonicalRequest,
  type CompletionResult,
  type ContentPart,
  type InferenceContext,
  type ResponseStore,
} from '@gw/inference';
import { newId } from '../shared/ids';
import type { ProtocolAdapter } from '../shared/protocol-handler';
import { toCanonical, withHistory } from './openai-responses.request.mapper';
import { echoOf, toResponse, type IdFactory, type ResponseEcho, type ResponseObject } from './openai-responses.response.mapper';
import { validateResponses } from './openai-responses.schema';
import { ResponsesStreamEncoder } from './openai-responses.stream';

export interface ResponsesMeta {
  echo: ResponseEcho;
  /** Stored history + this input, instructions excluded: what a stored response continues from. */
  conversation: CanonicalMessage[];
}

/** The part of {@link ResponseStore} the adapter uses (a fake in unit tests). */
export type ResponseStorePort = Pick<ResponseStore, 'load' | 'save'>;

const orgOf = (ctx: InferenceContext): string | null => ctx.payer?.orgId ?? null;

/** The answer as one canonical assistant turn: its text, then its calls (ids = `call_id`). */
export function assistantTurn(body: ResponseObject): CanonicalMessage {
  const content: ContentPart[] = [];
  for (const item of body.output) {
    if (item.type === 'message') for (const p of item.content) if (p.text) content.push({ type: 'text', text: p.text });
    if (item.type === 'function_call') content.push({ type: 'tool_call', id: item.call_id, name: item.name, arguments: item.arguments });
  }
  return { role: 'assistant', content: content.length ? content : [{ type: 'text', text: '' }] };
}

/** What is kept: the body minus the credit fields, which describe the original call, not a later GET. */
function storedBody(body: ResponseObject): Record<string, unknown> {
  const { remaining_credits: _r, estimated_credits_used: _u, estimated_cost_usd: _c, ...kept } = body;
  return kept;
}

/** Wires the OpenAI Responses wire format (and `previous_response_id` / `store`) into the shared protocol flow. */
export function createResponsesAdapter(
  store: ResponseStorePort,
  ids: IdFactory = newId,
  warn: (message: string) => void = () => undefined,
): ProtocolAdapter<ResponsesMeta> {
  return {
    surface: 'responses',
    async parse(body: unknown, ctx: InferenceContext) {
      const wire = validateResponses(body);
      const mapped = toCanonical(wire); // every 400 before the store is read
      let history: CanonicalMessage[] = [];
      if (wire.previous_response_id) {
        const prev = await store.load(wire.previous_response_id, orgOf(ctx));
        if (!prev) {
          throw new GatewayError(GatewayErrorCode.NotFound, `Previous response with id '${wire.previous_response_id}' not found.`, {
            param: 'previous_response_id',
            wireCode: 'previous_response_not_found',
          });
        }
        history = prev.history;
      }
      // Default false (unlike OpenAI): nothing is kept unless asked. Without an organisation there is no
      // one to scope the row to, so the body must not claim it was stored.
      const kept = wire.store === true && orgOf(ctx) !== null;
      const meta = { echo: echoOf(wire, ids('resp_'), Math.floor(Date.now() / 1000), kept), conversation: [...history, ...mapped.input] };
      return { canonical: withHistory(mapped, history), meta };
    },
    respond(result: CompletionResult, _canonical: CanonicalRequest, meta: ResponsesMeta) {
      return toResponse(result, meta.echo, ids);
    },
    encoder(_canonical: CanonicalRequest, meta: ResponsesMeta) {
      return new ResponsesStreamEncoder({ echo: meta.echo, ids });
    },
    /**
     * Stores the answer when `store: true`. A failed write must neither lose the answer nor pretend it
     * was kept: a JSON body is still returned, with `store: false` (the handler sends this same object);
     * a stream cannot amend its already-built `response.completed`, so the failure rejects and the
     * encoder sends `response.failed` in its place, still carrying the full output.
     */
    async afterResponse(canonical: CanonicalRequest, meta: ResponsesMeta, body: unknown, ctx: InferenceContext) {
      const orgId = orgOf(ctx);
      if (!meta.echo.store || !orgId || !body) return;
      const response = body as ResponseObject; // always built by this adapter's respond() / encoder
      try {
        await store.save({ id: response.id, orgId, model: canonical.model, history: [...meta.conversation, assistantTurn(response)], response: storedBody(response) });
      } catch (err) {
        warn(`storing response ${response.id} failed: ${(err as Error)?.message ?? String(err)}`);
        if (!canonical.stream) {
          response.store = false;
          return;
        }
        throw new GatewayError(
          GatewayErrorCode.Internal,
          'The response was generated (its output is included) but could not be stored; retry, or resend the conversation without previous_response_id.',
          { wireCode: 'server_error', cause: err },
        );
      }
    },
    heartbeat: { frame: ': keep-alive\n\n', everyMs: 15_000 },
  };
}
