import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { CanonicalEvent } from '../../canonical/canonical-event';
import type { CanonicalRequest, ToolDefinition } from '../../canonical/canonical-request';
import type { ProviderRequest } from '../model-provider';
import type { LocalGgufConfig } from './llama-runtime';

// Shared by the local-gguf spec files (real stories260K model from ../shared/models).

/** The repo root (first ancestor with package.json + tsconfig.json), from src or dist alike. */
function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json'))) return dir;
  }
  throw new Error('repo root not found');
}
export const MODEL_PATH = resolve(repoRoot(), '../shared/models/stories260K.gguf');

export const config = (over: Partial<LocalGgufConfig> = {}): LocalGgufConfig => ({
  id: 'local',
  kind: 'local-gguf',
  model_path: MODEL_PATH,
  threads: 1,
  sequences: 2,
  context_size: 2048,
  max_queue: 4,
  ...over,
});

export function req(over: Partial<CanonicalRequest> = {}, signal: AbortSignal = new AbortController().signal): ProviderRequest {
  return {
    request: {
      model: 'abliterated-model',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me a story about a cat.' }] }],
      sampling: { seed: 42 },
      stream: true,
      passthrough: { dialect: 'openai-chat', fields: {} },
      ...over,
    },
    upstreamModel: 'stories260K',
    requestId: 'req-1',
    signal,
  };
}

export async function collect(events: AsyncIterable<CanonicalEvent>): Promise<CanonicalEvent[]> {
  const out: CanonicalEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}
export const textOf = (events: CanonicalEvent[]) => events.map((e) => (e.type === 'text_delta' ? e.text : '')).join('');
export const last = <T>(xs: T[]): T => xs[xs.length - 1];

export const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
export const clock: ToolDefinition = {
  name: 'get_time',
  parameters: { type: 'object', properties: { zone: { type: 'string', enum: ['UTC', 'CET'] } }, required: ['zone'] },
};

