import type { Usage } from '@gw/inference';

/** Reads a call's usage so far (the request tracker's figures); called only at checkpoint time. */
export type ProgressProbe = () => Usage;

/** One checkpoint batch, as column arrays for a single `unnest` UPDATE. */
export interface ProgressBatch {
  requestIds: string[];
  inputTokens: number[];
  outputTokens: number[];
}

interface Entry {
  probe: ProgressProbe;
  /** The figures last written (undefined = never: the first checkpoint also records "reached upstream"). */
  written?: { input: number; output: number };
}

/**
 * The calls of this process that reached their upstream and are not settled yet. Nothing is done per
 * token: the hot path costs one Map insert when the upstream answers and one delete at settlement, and
 * the checkpointer pulls each call's usage once per interval, writing only the calls that changed.
 */
export class ProgressBook {
  private readonly live = new Map<string, Entry>();

  watch(requestId: string, probe: ProgressProbe): void {
    this.live.set(requestId, { probe });
  }

  forget(requestId: string): void {
    this.live.delete(requestId);
  }

  get size(): number {
    return this.live.size;
  }

  /** Calls whose usage changed since the last batch (marked written now; {@link retry} undoes it). */
  takeChanged(): ProgressBatch {
    const batch: ProgressBatch = { requestIds: [], inputTokens: [], outputTokens: [] };
    for (const [id, e] of this.live) {
      let usage: Usage;
      try {
        usage = e.probe();
      } catch {
        continue; // a probe must not stop the others; the call is checkpointed at the next tick
      }
      const input = Math.max(0, Math.round(usage.inputTokens));
      const output = Math.max(0, Math.round(usage.outputTokens));
      if (e.written && e.written.input === input && e.written.output === output) continue;
      e.written = { input, output };
      batch.requestIds.push(id);
      batch.inputTokens.push(input);
      batch.outputTokens.push(output);
    }
    return batch;
  }

  /** A batch failed to write: mark its calls unwritten so the next tick sends them again. */
  retry(batch: ProgressBatch): void {
    for (const id of batch.requestIds) {
      const e = this.live.get(id);
      if (e) e.written = undefined;
    }
  }
}
