import type { FinishReason } from '../../canonical/canonical-event';
import type { LlamaContextSequence, LlamaGrammar, LlamaRuntime, Token } from './llama-runtime';
import type { SamplingOptions } from './request-plan';
import { StopSequenceMatcher } from './stop-sequence-matcher';

export interface CompletionRun {
  /** Prompt tokens, without the BOS token node-llama-cpp prepends. */
  tokens: Token[];
  /** Generated-token cap; further capped so prompt + output fit the context. */
  maxTokens: number;
  sampling: SamplingOptions;
  grammar?: LlamaGrammar;
  stop: readonly string[];
  signal: AbortSignal;
  /** Each piece of output text as soon as it is final (held back while it may still start a stop sequence). */
  onText: (text: string) => void;
}

export interface CompletionOutcome {
  text: string;
  /** Tokens the model generated, including any that formed a matched stop sequence (not the end-of-sequence token). */
  outputTokens: number;
  finishReason: Extract<FinishReason, 'end_turn' | 'max_tokens' | 'stop_sequence'>;
  stopSequence?: string;
}

/** Room left in the context for generated tokens after `promptTokens` (BOS included by the caller). */
export function contextRoom(rt: LlamaRuntime, promptTokens: number): number {
  return rt.contextSize - promptTokens;
}

/**
 * One completion on a sequence the caller owns. Aborting `signal` stops generation between tokens and
 * rejects with the signal's reason. The sequence keeps its state; the caller clears it.
 */
export async function runCompletion(rt: LlamaRuntime, sequence: LlamaContextSequence, run: CompletionRun): Promise<CompletionOutcome> {
  const room = contextRoom(rt, run.tokens.length + (rt.prependsBos ? 1 : 0));
  const maxTokens = Math.min(run.maxTokens, room);
  if (maxTokens <= 0) return { text: '', outputTokens: 0, finishReason: 'max_tokens' };
  if (run.signal.aborted) throw run.signal.reason;
  const matcher = new StopSequenceMatcher(run.stop);
  const stopped = new AbortController();
  let matched: string | undefined;
  let text = '';
  let outputTokens = 0;
  const emit = (chunk: string) => {
    if (chunk.length === 0) return;
    text += chunk;
    run.onText(chunk);
  };
  const completion = new rt.nlc.LlamaCompletion({ contextSequence: sequence });
  try {
    const { metadata } = await completion.generateCompletionWithMeta(run.tokens, {
      // Either signal ends generation after the current token; which one fired decides the outcome.
      signal: AbortSignal.any([run.signal, stopped.signal]),
      stopOnAbortSignal: true,
      maxTokens,
      temperature: run.sampling.temperature,
      topP: run.sampling.topP,
      topK: run.sampling.topK,
      seed: run.sampling.seed,
      repeatPenalty: run.sampling.repeatPenalty,
      grammar: run.grammar,
      // Never silently drop the start of the prompt: the caller sized prompt + output to fit.
      disableContextShift: true,
      contextShiftSize: 1,
      onToken: (tokens) => {
        outputTokens += tokens.length;
      },
      onTextChunk: (chunk) => {
        if (matched !== undefined) return;
        const step = matcher.push(chunk);
        emit(step.emit);
        if (step.matched !== undefined) {
          matched = step.matched;
          stopped.abort();
        }
      },
    });
    if (run.signal.aborted) throw run.signal.reason;
    if (matched !== undefined) return { text, outputTokens, finishReason: 'stop_sequence', stopSequence: matched };
    emit(matcher.flush());
    switch (metadata.stopReason) {
      case 'maxTokens':
        return { text, outputTokens, finishReason: 'max_tokens' };
      case 'eogToken':
      case 'stopGenerationTrigger': // a JSON grammar's end: the value is complete
        return { text, outputTokens, finishReason: 'end_turn' };
      case 'abort':
      case 'customStopTrigger':
        throw new Error(`unexpected stop reason ${metadata.stopReason}`);
      default: {
        const never: never = metadata;
        throw new Error(`unexpected stop reason ${JSON.stringify(never)}`);
      }
    }
  } finally {
    completion.dispose({ disposeSequence: false });
  }
}
