import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type {
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
  Token,
} from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import type { ProviderConfig } from '@gw/config';
import { sanitizeJsonSchema } from './json-schema-sanitizer';

export type NodeLlamaCpp = typeof import('node-llama-cpp', { with: { 'resolution-mode': 'import' } });
export type LocalGgufConfig = Extract<ProviderConfig, { kind: 'local-gguf' }>;
export type LocalGgufLog = (level: 'info' | 'warn' | 'error', msg: string) => void;
export type { LlamaContextSequence, LlamaGrammar, Token };

/** Everything loaded once per provider: the native library, the weights, one context with N sequences. */
export interface LlamaRuntime {
  nlc: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  sequences: LlamaContextSequence[];
  /** Tokens per sequence (prompt + output): the configured size (llama.cpp may round the real one up). */
  contextSize: number;
  /** Whether node-llama-cpp prepends a BOS token to completion input (it counts as an input token). */
  prependsBos: boolean;
  /** Tokenizer option node-llama-cpp's completion uses for text input; we tokenize identically. */
  tokenizeMode?: 'trimLeadingSpace';
  grammars: GrammarCache;
}

const isRemoteUri = (p: string) => /^(hf:|huggingface:|https?:\/\/)/i.test(p);

export async function loadRuntime(config: LocalGgufConfig, log: LocalGgufLog): Promise<LlamaRuntime> {
  // node-llama-cpp is ESM-only: a real dynamic import (TypeScript keeps `import()` under `module: nodenext`).
  const nlc = await import('node-llama-cpp');
  const started = performance.now();
  const modelPath = isRemoteUri(config.model_path)
    ? await nlc.resolveModelFile(config.model_path, { cli: false })
    : resolvePath(config.model_path);
  if (!existsSync(modelPath)) throw new Error(`local model file not found: ${modelPath} (model_path '${config.model_path}')`);

  // Never download or compile llama.cpp: use the prebuilt binary or fail.
  const llama = await nlc.getLlama({
    gpu: false,
    build: 'never',
    skipDownload: true,
    maxThreads: config.threads,
    logLevel: nlc.LlamaLogLevel.error,
    logger: (level, message) => {
      const text = message.trim();
      if (text && (level === nlc.LlamaLogLevel.error || level === nlc.LlamaLogLevel.fatal)) log('error', `llama.cpp: ${text}`);
    },
  });
  try {
    const model = await llama.loadModel({ modelPath });
    const context = await model.createContext({
      contextSize: config.context_size,
      sequences: config.sequences,
      threads: config.threads,
    });
    const sequences = Array.from({ length: config.sequences }, () => context.getSequence());
    const vocab = model.vocabularyType;
    const prependsBos =
      vocab !== nlc.LlamaVocabularyType.rwkv &&
      vocab !== nlc.LlamaVocabularyType.ugm &&
      model.tokens.bos != null &&
      (vocab === nlc.LlamaVocabularyType.wpm || model.tokens.shouldPrependBosToken);
    log(
      'info',
      `local model '${config.id}' loaded from ${modelPath} in ${Math.round(performance.now() - started)} ms ` +
        `(context ${Math.min(config.context_size, context.contextSize)} tokens, ${config.sequences} sequences, ${config.threads} threads)`,
    );
    return {
      nlc,
      llama,
      model,
      context,
      sequences,
      contextSize: Math.min(config.context_size, context.contextSize),
      prependsBos,
      tokenizeMode: prependsBos ? 'trimLeadingSpace' : undefined,
      grammars: new GrammarCache(llama, log),
    };
  } catch (err) {
    await llama.dispose().catch(() => undefined);
    throw err;
  }
}

export async function disposeRuntime(rt: LlamaRuntime): Promise<void> {
  await rt.context.dispose().catch(() => undefined);
  await rt.model.dispose().catch(() => undefined);
  await rt.llama.dispose().catch(() => undefined);
}

/** JSON grammars built once per distinct schema (building one costs ~ms; requests repeat schemas). */
export class GrammarCache {
  private readonly cache = new Map<string, Promise<LlamaGrammar>>();
  private static readonly MAX_ENTRIES = 128;

  constructor(
    private readonly llama: Llama,
    private readonly log: LocalGgufLog,
  ) {}

  /** A grammar for `schema`; falls back to any JSON object when the schema cannot be expressed. */
  forSchema(schema: unknown): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema) ?? 'undefined';
    let grammar = this.cache.get(key);
    if (!grammar) {
      grammar = this.build(schema);
      grammar.catch(() => this.cache.delete(key));
      if (this.cache.size >= GrammarCache.MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value ?? '');
      this.cache.set(key, grammar);
    }
    return grammar;
  }

  /** Any JSON object (`response_format: json_object`, and the fallback). */
  anyObject(): Promise<LlamaGrammar> {
    return this.forSchema({ type: 'object' });
  }

  private async build(schema: unknown): Promise<LlamaGrammar> {
    try {
      // The sanitizer guarantees the GbnfJsonSchema shape; its generic type cannot be inferred from data.
      return await this.llama.createGrammarForJsonSchema(sanitizeJsonSchema(schema) as never);
    } catch (err) {
      this.log('warn', `JSON schema not usable as a grammar (${(err as Error).message}); constraining to any JSON object`);
      return await this.llama.createGrammarForJsonSchema({ type: 'object', additionalProperties: true });
    }
  }
}
