import { answer, Faults, listen, type TestServer } from './http-server';

/**
 * A Splunk HTTP Event Collector stand-in for `/services/collector/event`: `Authorization: Splunk <token>`
 * (401 code 2 when missing, 403 code 4 when wrong, as HEC answers), a body of concatenated JSON event objects,
 * each needing an `event` field (400 code 6 or 12 otherwise), and `{"text":"Success","code":0}` on success.
 */
export interface SplunkReceiver extends TestServer {
  url: string;
  faults: Faults;
  /** Accepted batches: the HEC event objects of each request. */
  readonly batches: Array<Array<Record<string, unknown>>>;
}

/** HEC's answer to a busy server (what `faults` should send to test code 9). */
export const HEC_BUSY_ANSWER = { status: 503, body: { text: 'Server is busy', code: 9 } };

/**
 * Splits HEC's batch format into objects: top-level JSON objects one after another, separated by optional
 * whitespace. Throws on anything else (a stray character, an unterminated object).
 */
export function splitConcatenatedJson(text: string): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    if (text[i] !== '{') throw new Error(`unexpected character at ${i}`);
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    if (depth !== 0) throw new Error('unterminated object');
    out.push(JSON.parse(text.slice(start, ++i)));
  }
  return out;
}

export async function startSplunkReceiver(opts: { token: string }): Promise<SplunkReceiver> {
  const faults = new Faults();
  const batches: Array<Array<Record<string, unknown>>> = [];
  const server = await listen((req, res, body) => {
    if (req.url !== '/services/collector/event') return answer(res, 404, { text: 'The requested URL was not found on this server.', code: 404 });
    const auth = req.headers.authorization;
    if (!auth) return answer(res, 401, { text: 'Token is required', code: 2 });
    if (auth !== `Splunk ${opts.token}`) return answer(res, 403, { text: 'Invalid token', code: 4 });
    if (faults.apply(res)) return;
    let objects: unknown[];
    try {
      objects = splitConcatenatedJson(body.toString('utf8'));
    } catch {
      return answer(res, 400, { text: 'Invalid data format', code: 6 });
    }
    if (objects.length === 0) return answer(res, 400, { text: 'No data', code: 5 });
    if (!objects.every((o) => typeof o === 'object' && o !== null && 'event' in o)) return answer(res, 400, { text: 'Event field is required', code: 12 });
    batches.push(objects);
    answer(res, 200, { text: 'Success', code: 0 });
  });
  return Object.assign(server, { url: `${server.origin}/services/collector/event`, faults, batches });
}
