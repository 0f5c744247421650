import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseFrame {
  /** The `event:` line, or null for data-only frames. */
  event: string | null;
  /** Parsed JSON data (or the raw string when it is not JSON, e.g. `[DONE]`). */
  data: unknown;
}

/** Reads a whole SSE response body into frames (parsed by the same library the gateway uses). */
export async function readSse(res: Response): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  const parser = createParser({
    onEvent: (m: EventSourceMessage) => {
      let data: unknown = m.data;
      try {
        data = JSON.parse(m.data);
      } catch {
        // keep the raw text
      }
      frames.push({ event: m.event ?? null, data });
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  return frames;
}
