/**
 * Finds stop sequences in streamed text. Text that might be the start of a stop sequence is held back
 * until it either completes a match (then it is dropped, with everything after it) or cannot match.
 *
 * We match ourselves instead of using node-llama-cpp's `customStopTriggers`: its detector sees each
 * token detokenized alone, which drops SentencePiece word-initial spaces, so a stop sequence such as
 * " the" or "The end." would never match on llama-family models.
 */
export class StopSequenceMatcher {
  private held = '';
  private readonly stops: readonly string[];

  constructor(stops: readonly string[]) {
    this.stops = stops.filter((s) => s.length > 0);
  }

  /** Feeds newly generated text; returns the text that is now safe to emit, and the stop that matched. */
  push(text: string): { emit: string; matched?: string } {
    if (this.stops.length === 0) return { emit: text };
    const buffer = this.held + text;
    let at = -1;
    let matched: string | undefined;
    for (const stop of this.stops) {
      const i = buffer.indexOf(stop);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        matched = stop;
      }
    }
    if (matched !== undefined) {
      this.held = '';
      return { emit: buffer.slice(0, at), matched };
    }
    const keep = this.longestPartialSuffix(buffer);
    this.held = buffer.slice(buffer.length - keep);
    return { emit: buffer.slice(0, buffer.length - keep) };
  }

  /** Generation ended without a match: the held text is ordinary output. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  /** Length of the longest suffix of `buffer` that is a proper prefix of some stop sequence. */
  private longestPartialSuffix(buffer: string): number {
    let best = 0;
    for (const stop of this.stops) {
      for (let len = Math.min(stop.length - 1, buffer.length); len > best; len--) {
        if (buffer.endsWith(stop.slice(0, len))) {
          best = len;
          break;
        }
      }
    }
    return best;
  }
}
