/**
 * The hot-path stages S4 prices in process (issue 8 additions and their baselines), built from the gateway's
 * own code with the configuration defaults: the raw-JSON pre-scan against JSON.parse and against the body
 * parser as wired, each surface's compiled validator and full parse, and the body-independent per-request
 * work (key cache, user-state cache and JWT check on a warm cache, progress book, record sanitisers).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { envSchema } from '@gw/config';
import { checkJsonBytes, type JsonLimits } from '@gw/observability';
import { openAIChatAdapter } from '../../apps/inference/src/protocols/openai-chat/openai-chat.adapter';
import { validateChatCompletion } from '../../apps/inference/src/protocols/openai-chat/openai-chat.schema';
import { validateResponses } from '../../apps/inference/src/protocols/openai-responses/openai-responses.schema';
import { toCanonical as responsesToCanonical } from '../../apps/inference/src/protocols/openai-responses/openai-responses.request.mapper';
import { parseMessages } from '../../apps/inference/src/protocols/anthropic-messages/anthropic-messages.adapter';
import { validateMessages } from '../../apps/inference/src/protocols/anthropic-messages/anthropic-messages.schema';
import { BODY_SIZES, bodyText, SURFACES, type Surface } from './s4-bodies';
import type { Stage } from './s4-timer';
import { identityStages } from './s4-identity-stages';
import { metricsStages } from './s4-metrics-stage';
import { policyStages } from './s4-policy-stages';
import { ContentHmacKeys, sanitizeAuditRecord, type AuditRecord } from '@gw/audit';
import { ProgressBook, sanitizeUsageEntry, type UsageEntry } from '@gw/metering';

const DEFAULTS = envSchema.parse({});
const LIMITS: JsonLimits = { maxDepth: DEFAULTS.JSON_MAX_DEPTH, maxArrayItems: DEFAULTS.JSON_MAX_ARRAY_ITEMS, maxValues: DEFAULTS.JSON_MAX_VALUES };

type FastifyParse = (req: unknown, body: string, done: (err: Error | null, value?: unknown) => void) => void;

/** The JSON rows (chat bodies) and each surface's validator and full parse, per body size. */
function bodyStages(model: string): Stage[] {
  // Fastify's own JSON parser with the gateway's options: secure-json-parse, prototype poisoning refused.
  const fastifyParse = Fastify().getDefaultJsonParser('error', 'error') as unknown as FastifyParse;
  const stages: Stage[] = [];
  for (const size of BODY_SIZES) {
    const text = bodyText('chat', size, model);
    const bytes = Buffer.from(text, 'utf8');
    let parsed: unknown;
    const keep = (err: Error | null, value?: unknown): void => {
      if (err) throw err;
      parsed = value;
    };
    stages.push(
      { stage: 'JSON.parse (of an already decoded string)', body: size, run: () => JSON.parse(text) },
      // The pair that prices the pre-scan: the body arrives as bytes, so both decode it.
      { stage: 'toString + JSON.parse (no pre-scan)', body: size, run: () => JSON.parse(bytes.toString('utf8')) },
      { stage: 'checkJsonBytes + toString + JSON.parse', body: size, run: () => (checkJsonBytes(bytes, LIMITS), JSON.parse(bytes.toString('utf8'))) },
      { stage: 'checkJsonBytes (pre-scan) alone', body: size, run: () => checkJsonBytes(bytes, LIMITS) },
      {
        stage: 'body parser as wired (pre-scan, toString, secure-json-parse)',
        body: size,
        run: () => (checkJsonBytes(bytes, LIMITS), fastifyParse(undefined, bytes.toString('utf8'), keep), parsed),
      },
    );
    for (const surface of SURFACES) stages.push(...surfaceStages(surface, size, JSON.parse(bodyText(surface, size, model)) as unknown));
  }
  return stages;
}

function surfaceStages(surface: Surface, size: string, body: unknown): Stage[] {
  const defaultMax = DEFAULTS.MESSAGES_DEFAULT_MAX_TOKENS;
  const ctx = {} as Parameters<typeof openAIChatAdapter.parse>[1];
  const [validate, parse, parseLabel] =
    surface === 'chat'
      ? [() => validateChatCompletion(body), () => openAIChatAdapter.parse(body, ctx, {}), 'adapter.parse']
      : surface === 'responses'
        ? // The adapter's parse is async only for `previous_response_id` (a store read): validate + map is its CPU.
          [() => validateResponses(body), () => responsesToCanonical(validateResponses(body)), 'validate + toCanonical']
        : [() => validateMessages(body), () => parseMessages(body, defaultMax, {}), 'parseMessages'];
  // Fail here, not in the middle of the timing, when a body is refused (the figures would price an error path),
  // or when a parse turns out asynchronous (the loop would time the creation of a promise).
  if (parse() instanceof Promise) throw new Error(`S4: ${surface} ${parseLabel} is asynchronous`);
  return [
    { stage: `${surface}: validator (ajv)`, body: size, run: validate },
    { stage: `${surface}: ${parseLabel} (validate + map)`, body: size, run: parse },
  ];
}

/** Progress book with 100 calls in flight: the per-request insert/delete, and the per-tick scan. */
function bookStages(): Stage[] {
  const book = new ProgressBook();
  let tokens = 0;
  const probe = () => ({ inputTokens: 100, outputTokens: tokens });
  for (let i = 0; i < 100; i++) book.watch(`req-live-${i}`, probe);
  const ids = Array.from({ length: 1024 }, (_, i) => `req-${randomUUID()}-${i}`);
  let k = 0;
  return [
    {
      stage: 'progress book watch + forget (100 in flight)',
      body: '–',
      run: () => {
        const id = ids[k++ & 1023];
        book.watch(id, probe);
        book.forget(id);
      },
    },
    {
      stage: 'progress book takeChanged, 100 changed (per checkpoint tick, not per request)',
      body: '–',
      run: () => {
        tokens++;
        return book.takeChanged();
      },
    },
  ];
}

function sanitiserStages(): Stage[] {
  const now = Date.now();
  const record: AuditRecord = {
    v: 1,
    requestId: `req_${randomUUID()}`,
    surface: 'chat.completions',
    model: 'abliterated-model',
    provider: 'upstream',
    upstreamModel: 'bench-model',
    stream: false,
    status: 'ok',
    httpStatus: 200,
    errorCode: null,
    finishReason: 'stop',
    inputTokens: 2_100,
    outputTokens: 17,
    startedAt: new Date(now - 3).toISOString(),
    finishedAt: new Date(now).toISOString(),
    latencyMs: 3,
    ttftMs: null,
  };
  const usage: UsageEntry = {
    v: 1,
    requestId: record.requestId,
    orgId: randomUUID(),
    apiKeyId: randomUUID(),
    userId: randomUUID(),
    model: record.model,
    inputTokens: 2_100,
    outputTokens: 17,
    credits: 5,
    costUsd: 0.010585,
    occurredAt: record.finishedAt,
  };
  const hmac = new ContentHmacKeys(Buffer.alloc(32, 7));
  const org = randomUUID();
  const prompt = 'x'.repeat(8_192);
  const deltas = Array.from({ length: 64 }, () => 'token ');
  return [
    { stage: 'audit record sanitiser (sanitizeAuditRecord)', body: '–', run: () => sanitizeAuditRecord(record) },
    {
      stage: 'prompt_hmac + output_hmac (8 KB prompt, 64 deltas)',
      body: '8 KB',
      run: () => {
        const d = hmac.digest(org);
        d.prompt(prompt);
        for (const t of deltas) d.output(t);
        return d.digests();
      },
    },
    { stage: 'usage entry sanitiser (sanitizeUsageEntry)', body: '–', run: () => sanitizeUsageEntry(usage) },
  ];
}

/** All in-process stages; `notes` gets what could not be built. */
export async function allStages(model: string, notes: string[]): Promise<Stage[]> {
  return [...bodyStages(model), ...(await identityStages(DEFAULTS, notes)), ...bookStages(), ...sanitiserStages(), ...policyStages(model), ...metricsStages()];
}
