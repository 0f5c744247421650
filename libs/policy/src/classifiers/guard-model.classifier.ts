import type { CallSignal } from '@gw/inference';
import { withImpliedParents } from '../engine/categories/hierarchy';
import type { CategoryVerdict, ContentClassifier } from '../engine/types';
import { ClassifierHttp, runLimited, splitText } from './classifier-http';
import { guardPrompt, parseGuardAnswer } from './guard-prompt';

export interface GuardModelOptions {
  /** Defaults to `guard-model`. */
  id?: string;
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Whole `classify` call. Defaults to 10 s (a guard model generates a few tokens per text). */
  timeoutMs?: number;
  /** Guard calls in flight per `classify` call. Defaults to 4. */
  concurrency?: number;
  /** Longer texts are judged in pieces of this many characters (Llama Guard's context is ~8k tokens). Default 12,000. */
  maxCharsPerCall?: number;
  /**
   * `full` (default): send the Llama Guard prompt as the user message, for servers that pass it through (generic
   * instruction models, raw templates). `model-template`: send the bare text, for servers whose chat template
   * already wraps a user message in the guard prompt (vLLM or Ollama serving a Llama Guard model).
   */
  prompt?: 'full' | 'model-template';
}

/**
 * A ContentClassifier over a guard model (Llama Guard 3 style) behind an OpenAI-compatible
 * `/v1/chat/completions`, non-streaming, temperature 0. One call per text (per piece of a long text), at most
 * `concurrency` at once: the guard judges one conversation and answers one verdict, so batching texts into one
 * prompt would blur whose text was unsafe; per-text calls keep verdicts exact and cost the same tokens.
 * Scores are 1 for a hit (the answer carries no probabilities). Unparseable answers are
 * ClassifierUnavailableError, like transport failures.
 */
export class GuardModelClassifier implements ContentClassifier {
  readonly id: string;
  private readonly http: ClassifierHttp;

  constructor(private readonly opts: GuardModelOptions) {
    this.id = opts.id ?? 'guard-model';
    this.http = new ClassifierHttp({ id: this.id, baseUrl: opts.baseUrl, apiKey: opts.apiKey, timeoutMs: opts.timeoutMs ?? 10_000 });
  }

  async classify(texts: readonly string[], signal?: CallSignal): Promise<CategoryVerdict[][]> {
    const found = texts.map(() => new Set<CategoryVerdict['category']>());
    const deadline = this.http.deadline(signal);
    const jobs: (() => Promise<void>)[] = [];
    texts.forEach((t, owner) => {
      if (t.trim() === '') return;
      for (const piece of splitText(t, this.opts.maxCharsPerCall ?? 12_000)) {
        jobs.push(async () => {
          for (const c of await this.judge(piece, deadline)) found[owner].add(c);
        });
      }
    });
    try {
      deadline.throwIfAborted();
      await runLimited(jobs, this.opts.concurrency ?? 4);
    } catch (err) {
      deadline.cancel();
      throw deadline.failure(err, 'request failed');
    } finally {
      deadline.dispose();
    }
    return found.map((set) => withImpliedParents([...set].map((category) => ({ category, score: 1, flagged: true }))));
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private async judge(text: string, deadline: ReturnType<ClassifierHttp['deadline']>): Promise<CategoryVerdict['category'][]> {
    const content = this.opts.prompt === 'model-template' ? text : guardPrompt(text);
    const json = await this.http.postJson(
      'chat/completions',
      { model: this.opts.model, messages: [{ role: 'user', content }], temperature: 0, max_tokens: 24, stream: false },
      deadline,
    );
    const answer = (json as { choices?: { message?: { content?: unknown } }[] } | null)?.choices?.[0]?.message?.content;
    if (typeof answer !== 'string') throw this.http.unavailable('malformed answer (no message content)');
    const categories = parseGuardAnswer(answer);
    if (!categories) throw this.http.unavailable('unparseable guard verdict');
    return categories;
  }
}
