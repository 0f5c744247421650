/**
 * Bridges callback-style producers (node-llama-cpp's `onTextChunk`) to an async iterator.
 * Unbounded buffer, no backpressure: the producer never waits for the consumer (a generation is
 * bounded by its token cap anyway), and the consumer drains everything buffered in one wake-up.
 */
export class EventChannel<T> implements AsyncIterable<T> {
  private buffer: T[] = [];
  private ended = false;
  private wake?: () => void;

  push(value: T): void {
    if (this.ended) return;
    this.buffer.push(value);
    this.notify();
  }

  /** No more values; the iterator finishes once the buffer is drained. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      if (this.buffer.length > 0) {
        const batch = this.buffer;
        this.buffer = [];
        yield* batch;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
