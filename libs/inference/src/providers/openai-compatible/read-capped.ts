import type { Dispatcher } from 'undici';

/** How much of an upstream error body is read (the rest is discarded with the socket). */
export const MAX_ERROR_BODY = 64 * 1024;

/** Reads at most about `cap` characters of a body as text; a read error keeps what arrived. */
export async function readCapped(body: Dispatcher.ResponseData['body'], cap: number): Promise<string> {
  let text = '';
  try {
    const utf8 = new TextDecoder();
    for await (const chunk of body as AsyncIterable<Buffer>) {
      text += utf8.decode(chunk, { stream: true });
      if (text.length >= cap) {
        body.destroy();
        break;
      }
    }
  } catch {
    // Keep what arrived; the status alone still classifies the failure.
  }
  return text;
}
