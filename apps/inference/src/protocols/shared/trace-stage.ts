/** A request-flow step as a child span of the request's trace. */
import type { InferenceContext, TraceStage } from '@gw/inference';

/** Runs `work` inside a child span of the request's trace, when it has one (untraced: `work` itself, nothing added). */
export function stage<T>(ctx: InferenceContext, name: TraceStage, work: () => Promise<T>): Promise<T> {
  const end = ctx.trace?.stage(name);
  if (!end) return work();
  return work().then(
    (out) => {
      end();
      return out;
    },
    (err: unknown) => {
      end(err);
      throw err;
    },
  );
}
