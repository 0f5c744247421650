import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { createClassifier, type ClosableClassifier } from '../classifiers/classifier-factory';
import { classifyText, lexiconClassifier, warmLexicon, type CategoryVerdict, type ContentClassifier } from '../engine';

/**
 * The content classifiers this deployment can use, by the names policies give them (`rules.classifier`):
 * `builtin` always; `moderation` and `guard` when their upstreams are configured. `POLICY_CLASSIFIER` is the default.
 */
@Injectable()
export class ClassifierRegistry implements OnModuleDestroy {
  private readonly byName = new Map<string, ContentClassifier>();
  private readonly closable: ClosableClassifier[] = [];
  readonly defaultName: string;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const env = config.env;
    this.byName.set('builtin', lexiconClassifier);
    warmLexicon(); // at boot, not in the first policy request's event-loop turn
    const timeoutMs = env.CLASSIFIER_TIMEOUT_MS;
    if (env.MODERATION_BASE_URL) {
      this.add('moderation', createClassifier({ kind: 'openai-moderation', id: 'moderation', baseUrl: env.MODERATION_BASE_URL, apiKey: env.MODERATION_API_KEY, model: env.MODERATION_MODEL, timeoutMs }));
    }
    if (env.GUARD_BASE_URL) {
      this.add('guard', createClassifier({ kind: 'guard-model', id: 'guard', baseUrl: env.GUARD_BASE_URL, apiKey: env.GUARD_API_KEY, model: env.GUARD_MODEL, timeoutMs, prompt: env.GUARD_PROMPT }));
    }
    this.defaultName = env.POLICY_CLASSIFIER;
  }

  /** Closes the HTTP classifiers' connection pools. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.closable.map((c) => c.close().catch(() => undefined)));
  }

  private add(name: string, c: ClosableClassifier): void {
    this.byName.set(name, c);
    this.closable.push(c);
  }

  /** The named classifier, or one that is always unavailable (a policy naming an unconfigured classifier fails closed unless it fails open). */
  get(name: string | null): ContentClassifier {
    const n = name ?? this.defaultName;
    return this.byName.get(n) ?? unavailable(n);
  }

  /** The synchronous lexicon, for streamed output. */
  readonly streamClassify = (text: string): CategoryVerdict[] => classifyText(text);
}

function unavailable(id: string): ContentClassifier {
  return {
    id,
    classify: () => Promise.reject(new Error(`classifier '${id}' is not configured on this gateway`)),
  };
}
