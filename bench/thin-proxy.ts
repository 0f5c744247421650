/**
 * The floor (performance.md S0): Fastify + one undici Pool, forwarding POST /v1/chat/completions to the mock
 * with the body parsed and re-serialized; a JSON answer is passed on as a buffer, SSE bytes are piped through.
 * Env: PORT (47102), HOST (127.0.0.1), UPSTREAM (http://127.0.0.1:47101), CONNECTIONS (256).
 */
import Fastify from 'fastify';
import { Pool } from 'undici';

const PORT = Number(process.env.PORT ?? 47102);
const HOST = process.env.HOST ?? '127.0.0.1';
const upstream = new URL(process.env.UPSTREAM ?? 'http://127.0.0.1:47101');
const pool = new Pool(upstream.origin, { connections: Number(process.env.CONNECTIONS ?? 256) });
const app = Fastify({ logger: false, bodyLimit: 20 * 1024 * 1024, keepAliveTimeout: 60_000 });

app.get('/health/ready', async () => ({ status: 'ok' }));
app.post('/v1/chat/completions', async (req, reply) => {
  const abort = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  const res = await pool.request({
    path: `${upstream.pathname.replace(/\/$/, '')}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(req.body),
    signal: abort.signal,
  });
  const type = String(res.headers['content-type'] ?? 'application/json');
  reply.code(res.statusCode).header('content-type', type);
  // JSON is buffered (a gateway reads it anyway, and it saves a chunked response); SSE is piped as it comes.
  return reply.send(type.startsWith('application/json') ? Buffer.from(await res.body.arrayBuffer()) : res.body);
});

app.listen({ port: PORT, host: HOST }).then(
  () => process.stdout.write(`thin-proxy listening on ${HOST}:${PORT} → ${upstream.origin}\n`),
  (err: unknown) => {
    process.stderr.write(`thin-proxy failed to start: ${String(err)}\n`);
    process.exit(1);
  },
);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => void app.close().then(() => pool.close()).finally(() => process.exit(0)));
}
