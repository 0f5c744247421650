/**
 * Bench mock upstream (performance.md §6.3): plain node:http, no framework, prints nothing but one ready line.
 * POST /v1/chat/completions → a fixed ~350-byte OpenAI body with usage after DELAY_MS; with `"stream":true`
 * a role chunk at once, CHUNKS content deltas every IV_MS, a finish chunk, a usage chunk and `data: [DONE]`.
 * A model name ending in `-iv<ms>` (e.g. `bench-model-iv100`) sets that stream's interval instead: the S5
 * concurrent step needs streams that outlast its ramp, and a model name reaches the mock on every path (direct
 * and thin forward it, the gateway maps its catalogue entry to it).
 * Env: PORT (47101), HOST (127.0.0.1), DELAY_MS (0), IV_MS (20), CHUNKS (64).
 */
import { createServer, type ServerResponse } from 'node:http';

const PORT = Number(process.env.PORT ?? 47101);
const HOST = process.env.HOST ?? '127.0.0.1';
const DELAY_MS = Number(process.env.DELAY_MS ?? 0);
const IV_MS = Number(process.env.IV_MS ?? 20);
const CHUNKS = Number(process.env.CHUNKS ?? 64);

const BODY = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench-0001',
    object: 'chat.completion',
    created: 1700000000,
    model: 'bench-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'This is the fixed answer of the benchmark mock upstream, long enough to look real.' },
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 18, completion_tokens: 17, total_tokens: 35 },
  }),
);
const JSON_HEADERS = { 'content-type': 'application/json', 'content-length': String(BODY.length) };
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
const head = '{"id":"chatcmpl-bench-0001","object":"chat.completion.chunk","created":1700000000,"model":"bench-model","choices":[';
const frame = (choices: string, extra = ''): string => `data: ${head}${choices}]${extra}}\n\n`;
const ROLE = frame('{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}');
/** Content deltas of ~100 B of JSON each (the frames are ~150 B with the SSE framing and envelope). */
const DELTAS = Array.from({ length: CHUNKS }, (_, i) =>
  frame(`{"index":0,"delta":{"content":"tok${String(i).padStart(3, '0')} "},"finish_reason":null}`),
);
const FINISH = frame('{"index":0,"delta":{},"finish_reason":"stop"}');
const USAGE = frame('', `,"usage":{"prompt_tokens":18,"completion_tokens":${CHUNKS},"total_tokens":${18 + CHUNKS}}`);
const DONE = 'data: [DONE]\n\n';

function stream(res: ServerResponse, ivMs: number): void {
  res.writeHead(200, SSE_HEADERS);
  res.write(ROLE);
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return void clearInterval(timer);
    if (i < CHUNKS) res.write(DELTAS[i++]);
    if (i >= CHUNKS) {
      clearInterval(timer);
      res.end(FINISH + USAGE + DONE);
    }
  }, ivMs);
  res.on('close', () => clearInterval(timer));
}

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    return void res.end('ok');
  }
  let body = '';
  req.setEncoding('latin1');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    // A string test, not JSON.parse: the mock shares its core with the load generator.
    const answer = (): void => {
      if (/"stream"\s*:\s*true/.test(body)) stream(res, Number(/"model"\s*:\s*"[^"]*-iv(\d+)"/.exec(body)?.[1] ?? IV_MS));
      else {
        res.writeHead(200, JSON_HEADERS);
        res.end(BODY);
      }
    };
    if (DELAY_MS > 0) setTimeout(answer, DELAY_MS);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(PORT, HOST, () => process.stdout.write(`mock-upstream listening on ${HOST}:${PORT} (body ${BODY.length} B)\n`));
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => server.close(() => process.exit(0)).closeAllConnections());
