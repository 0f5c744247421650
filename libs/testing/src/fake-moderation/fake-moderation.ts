import { errorBody, markers, startFakeClassifierServer, type FakeClassifierOptions, type FakeClassifierServer } from './fake-classifier-http';

/** Every category key of OpenAI's `omni-moderation` results, in the API's order. */
export const OPENAI_MODERATION_CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const;

export type FakeModeration = FakeClassifierServer;

/**
 * A fake OpenAI `POST /v1/moderations` on 127.0.0.1 answering the real response shape (`id`, `model`,
 * `results[{flagged, categories, category_scores, category_applied_input_types}]`, every key present).
 * Decisions come from markers in each input: `flag:<openai-category>` scores 0.9, `flag:<category>=0.3` scores
 * 0.3; a category is flagged at a score of 0.5 or more, like the API's defaults. Everything else scores 0.0001.
 */
export async function startFakeModeration(options: FakeClassifierOptions = {}): Promise<FakeModeration> {
  let no = 0;
  return startFakeClassifierServer(
    options,
    '/v1/moderations',
    (body) => {
      const b = body as { model?: unknown; input?: unknown };
      const inputs = inputTexts(b.input);
      if (!inputs) return [400, errorBody("'input' must be a string or an array (fake).", 'invalid_request_error')];
      no++;
      return [200, { id: `modr-fake-${no}`, model: typeof b.model === 'string' ? b.model : 'omni-moderation-latest', results: inputs.map(moderate) }];
    },
    () => ({ id: 'modr-garbage', model: 'omni-moderation-latest', results: [{ flagged: 'maybe' }] }),
  );
}

/** The moderation result of one input text, by its markers. */
export function moderate(text: string): unknown {
  const scores: Record<string, number> = {};
  for (const c of OPENAI_MODERATION_CATEGORIES) scores[c] = 0.0001;
  for (const m of markers(text)) if (m.name in scores) scores[m.name] = m.score ?? 0.9;
  const categories: Record<string, boolean> = {};
  const applied: Record<string, string[]> = {};
  for (const c of OPENAI_MODERATION_CATEGORIES) {
    categories[c] = scores[c] >= 0.5;
    applied[c] = ['text']; // text-only inputs: the API lists `text` for every category
  }
  return { flagged: Object.values(categories).some(Boolean), categories, category_scores: scores, category_applied_input_types: applied };
}

function inputTexts(input: unknown): string[] | null {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) return null;
  const out: string[] = [];
  for (const item of input) {
    if (typeof item === 'string') out.push(item);
    else if (item && typeof item === 'object' && (item as { type?: unknown }).type === 'text') {
      const text = (item as { text?: unknown }).text;
      out.push(typeof text === 'string' ? text : '');
    }
    else return null;
  }
  return out;
}
