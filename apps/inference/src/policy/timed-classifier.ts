import type { CallSignal } from '@gw/inference';
import type { CategoryVerdict, ContentClassifier } from '@gw/policy';
import type { GatewayMetrics } from '@gw/observability';

const timed = new WeakMap<ContentClassifier, ContentClassifier>();

/** The classifier, its calls timed into `gateway_classifier_duration_seconds` by outcome (one wrapper per classifier). */
export function timedClassifier(c: ContentClassifier, m: GatewayMetrics): ContentClassifier {
  if (!m.enabled) return c;
  let wrapped = timed.get(c);
  if (!wrapped) {
    const classifier = m.reason(c.id);
    wrapped = {
      id: c.id,
      classify: async (texts: readonly string[], signal?: CallSignal): Promise<CategoryVerdict[][]> => {
        const end = m.classifierDuration.startTimer({ classifier });
        try {
          const out = await c.classify(texts, signal);
          end({ status: 'ok' });
          return out;
        } catch (err) {
          end({ status: 'failed' });
          throw err;
        }
      },
    };
    timed.set(c, wrapped);
  }
  return wrapped;
}
