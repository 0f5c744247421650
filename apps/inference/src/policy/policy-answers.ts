import { GatewayError, type CanonicalEvent, type CanonicalRequest, type CompletionResult } from '@gw/inference';
import type { PolicyRun } from '@gw/policy';

/** An answer the gateway writes itself (an escalation's holding message): no model call, nothing charged. */
export function localAnswer(text: string, model: string): CompletionResult {
  return { upstreamModel: '', text, toolCalls: [], finishReason: 'end_turn', usage: { inputTokens: 0, outputTokens: 0 }, modelId: model };
}

/** A finished answer replayed as a stream (escalations and summaries are produced whole, then streamed). */
export async function* eventsOf(result: CompletionResult): AsyncGenerator<CanonicalEvent> {
  yield { type: 'message_start', upstreamModel: result.upstreamModel, inputTokens: result.usage.inputTokens };
  if (result.text) yield { type: 'text_delta', text: result.text };
  yield { type: 'usage', usage: result.usage };
  yield { type: 'message_stop', finishReason: result.finishReason };
  if (result.charge) yield { type: 'metering', charge: result.charge, usage: result.usage };
}

/** The second call of a `summary` decision: the first answer, summarised under the policy's instruction. */
export function summaryRequest(base: CanonicalRequest, run: PolicyRun, answer: string): CanonicalRequest {
  return {
    ...base,
    stream: false,
    tools: undefined,
    toolChoice: undefined,
    responseFormat: undefined,
    messages: [
      { role: 'system', content: [{ type: 'text', text: run.summaryInstruction() }] },
      { role: 'user', content: [{ type: 'text', text: answer || '(the model gave no answer)' }] },
    ],
  };
}

/**
 * Adds `"policy":{…}` to every JSON `data:` line of an SSE frame (every event type, spec §3.6.1). The frame's
 * JSON is the encoder's own single-line output, so splicing before its closing brace is exact. Lines end at `\n`
 * only: JSON.stringify leaves U+2028 / U+2029 unescaped, and a regex's `^`/`$` (multiline) treat them as line ends,
 * so model text holding one lost the field or, after a `}`, had it spliced into the text (a frame no client parses).
 * A scan, not a regex: it runs on every frame of every `/policy` stream.
 */
export function withPolicyField(frame: string, policyJson: string): string {
  const head = 'data: {';
  let at = frame.indexOf(head);
  if (at < 0) return frame;
  let out = '';
  let from = 0;
  while (at >= 0) {
    let end = frame.indexOf('\n', at);
    if (end < 0) end = frame.length;
    const close = end - 1; // the line's last character: the JSON's closing brace
    if ((at === 0 || frame.charCodeAt(at - 1) === 10) && frame.charCodeAt(close) === 125) {
      out += `${frame.slice(from, close)}${close > at + head.length ? ',' : ''}"policy":${policyJson}}`;
      from = end;
    }
    at = frame.indexOf(head, end);
  }
  return from === 0 ? frame : out + frame.slice(from);
}

/**
 * The same error with the `policy` object beside its envelope (a `/policy/*` failure after the pre-check). A quota
 * refusal is the policy's decision too: the run records `refuse` with the quota's reason code (so the audit record
 * says so as well) before the object is built.
 */
export function withPolicy(err: unknown, run: PolicyRun): unknown {
  if (!(err instanceof GatewayError) || err.extra?.policy) return err;
  const { quota_refusal: refusal, ...extra } = err.extra ?? {};
  if (refusal) run.refuseFor((refusal as { reason_code: string }).reason_code);
  return err.with({ extra: { ...extra, policy: run.policyObject() } });
}
