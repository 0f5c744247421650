import type { CallSignal } from '@gw/inference';
import { withImpliedParents } from '../engine/categories/hierarchy';
import type { Category, CategoryVerdict, ContentClassifier } from '../engine/types';
import { ClassifierHttp, runLimited, splitText } from './classifier-http';

/**
 * OpenAI moderation categories → ours. Most are the same name. `illicit/violent` ("advice on procuring weapons or
 * committing violent wrongdoing") is the only OpenAI category covering weapon and explosive creation, so it also
 * raises `weapons/creation` and `explosives/creation` (an over-approximation, chosen so a policy flagging those
 * does not silently never fire). `drugs/synthesis` and `malware/creation` have no OpenAI counterpart beyond
 * `illicit`: a policy that needs them should also flag `illicit` or use the builtin/guard classifier.
 */
export const OPENAI_MODERATION_MAP: Readonly<Record<string, readonly Category[]>> = {
  sexual: ['sexual'],
  'sexual/minors': ['sexual/minors'],
  harassment: ['harassment'],
  'harassment/threatening': ['harassment/threatening'],
  hate: ['hate'],
  'hate/threatening': ['hate/threatening'],
  illicit: ['illicit'],
  'illicit/violent': ['illicit/violent', 'weapons/creation', 'explosives/creation'],
  'self-harm': ['self-harm'],
  'self-harm/intent': ['self-harm/intent'],
  'self-harm/instructions': ['self-harm/instructions'],
  violence: ['violence'],
  'violence/graphic': ['violence/graphic'],
};

export interface OpenAIModerationOptions {
  /** Defaults to `openai-moderation`. */
  id?: string;
  baseUrl: string;
  apiKey?: string;
  /** Defaults to `omni-moderation-latest`. */
  model?: string;
  /** Whole `classify` call, all batches included. Defaults to 5 s. */
  timeoutMs?: number;
  /** Flag a category when its score reaches this; unset: trust the API's `categories` booleans. */
  threshold?: number;
  /** Longer texts are split into pieces of this many characters (overlapping by 200). Defaults to 8,000. */
  maxCharsPerInput?: number;
  /** Pieces per request, and characters per request. Default 32 and 64,000. */
  maxInputsPerRequest?: number;
  maxCharsPerRequest?: number;
  /** Requests in flight per `classify` call. Defaults to 2. */
  concurrency?: number;
}

interface Piece {
  owner: number;
  text: string;
}

/**
 * A ContentClassifier over any OpenAI-compatible `POST /v1/moderations`. Long texts are split and the pieces
 * batched (`input: string[]`); a text's verdict is the union of its pieces' (highest score per category). Any
 * failure rejects with ClassifierUnavailableError: the engine then fails closed or open as the policy says.
 */
export class OpenAIModerationClassifier implements ContentClassifier {
  readonly id: string;
  private readonly http: ClassifierHttp;
  private readonly model: string;

  constructor(private readonly opts: OpenAIModerationOptions) {
    this.id = opts.id ?? 'openai-moderation';
    this.model = opts.model ?? 'omni-moderation-latest';
    this.http = new ClassifierHttp({ id: this.id, baseUrl: opts.baseUrl, apiKey: opts.apiKey, timeoutMs: opts.timeoutMs ?? 5_000 });
  }

  async classify(texts: readonly string[], signal?: CallSignal): Promise<CategoryVerdict[][]> {
    const pieces: Piece[] = [];
    texts.forEach((t, owner) => {
      if (t.trim() !== '') for (const text of splitText(t, this.opts.maxCharsPerInput ?? 8_000)) pieces.push({ owner, text });
    });
    const best: Map<string, { flagged: boolean; score: number }>[] = texts.map(() => new Map());
    const deadline = this.http.deadline(signal);
    try {
      deadline.throwIfAborted();
      const jobs = this.batches(pieces).map((batch) => async () => {
        const json = await this.http.postJson('moderations', { model: this.model, input: batch.map((p) => p.text) }, deadline);
        this.parse(json, batch.length).forEach((result, k) => {
          const seen = best[batch[k].owner];
          for (const [name, r] of result) {
            const had = seen.get(name);
            seen.set(name, { flagged: r.flagged || (had?.flagged ?? false), score: Math.max(r.score, had?.score ?? 0) });
          }
        });
      });
      await runLimited(jobs, this.opts.concurrency ?? 2);
    } catch (err) {
      deadline.cancel();
      throw deadline.failure(err, 'request failed');
    } finally {
      deadline.dispose();
    }
    return best.map((seen) => {
      const out: CategoryVerdict[] = [];
      for (const [name, r] of seen) {
        if (!r.flagged) continue;
        for (const category of OPENAI_MODERATION_MAP[name] ?? []) out.push({ category, score: r.score, flagged: true });
      }
      return withImpliedParents(out);
    });
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  private batches(pieces: readonly Piece[]): Piece[][] {
    const maxN = this.opts.maxInputsPerRequest ?? 32;
    const maxChars = this.opts.maxCharsPerRequest ?? 64_000;
    const out: Piece[][] = [];
    let cur: Piece[] = [];
    let chars = 0;
    for (const p of pieces) {
      if (cur.length > 0 && (cur.length >= maxN || chars + p.text.length > maxChars)) {
        out.push(cur);
        cur = [];
        chars = 0;
      }
      cur.push(p);
      chars += p.text.length;
    }
    if (cur.length > 0) out.push(cur);
    return out;
  }

  /** One map per input: OpenAI category → flagged (by threshold or the API's boolean) and score. */
  private parse(json: unknown, expected: number): Map<string, { flagged: boolean; score: number }>[] {
    const results = (json as { results?: unknown } | null)?.results;
    if (!Array.isArray(results) || results.length !== expected) throw this.http.unavailable('malformed answer (results)');
    return results.map((r: unknown) => {
      const categories = (r as { categories?: unknown } | null)?.categories;
      const scores = (r as { category_scores?: unknown } | null)?.category_scores;
      if (!isRecord(categories) || (scores !== undefined && !isRecord(scores))) throw this.http.unavailable('malformed answer (categories)');
      const out = new Map<string, { flagged: boolean; score: number }>();
      for (const name of Object.keys(OPENAI_MODERATION_MAP)) {
        const raw = scores?.[name];
        const said = categories[name];
        if (said !== undefined && typeof said !== 'boolean') throw this.http.unavailable('malformed answer (category flag)');
        if (raw !== undefined && (typeof raw !== 'number' || !Number.isFinite(raw))) throw this.http.unavailable('malformed answer (category score)');
        const score = typeof raw === 'number' ? raw : said ? 1 : 0;
        const flagged = this.opts.threshold !== undefined && typeof raw === 'number' ? score >= this.opts.threshold : said === true;
        out.set(name, { flagged, score });
      }
      return out;
    });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
