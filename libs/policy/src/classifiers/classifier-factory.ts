import { lexiconClassifier } from '../engine/categories/lexicon-classifier';
import type { ContentClassifier } from '../engine/types';
import { GuardModelClassifier } from './guard-model.classifier';
import { OpenAIModerationClassifier } from './openai-moderation.classifier';

/** What a deployment configures per classifier. `id` overrides the default id (`builtin`, `openai-moderation`, `guard-model`). */
export type ClassifierSpec =
  | { kind: 'builtin' }
  | { kind: 'openai-moderation'; id?: string; baseUrl: string; apiKey?: string; model?: string; timeoutMs?: number; threshold?: number }
  | { kind: 'guard-model'; id?: string; baseUrl: string; apiKey?: string; model: string; timeoutMs?: number; prompt?: 'full' | 'model-template' };

/** A classifier the owner can shut down (HTTP classifiers hold a connection pool). */
export interface ClosableClassifier extends ContentClassifier {
  close(): Promise<void>;
}

/** Builds a classifier from config; callers depend on the port only, so swapping vendors is a config change. */
export function createClassifier(spec: ClassifierSpec): ClosableClassifier {
  switch (spec.kind) {
    case 'builtin':
      return { id: lexiconClassifier.id, classify: (texts, signal) => lexiconClassifier.classify(texts, signal), close: async () => undefined };
    case 'openai-moderation':
      return new OpenAIModerationClassifier(spec);
    case 'guard-model':
      return new GuardModelClassifier(spec);
  }
}
