/**
 * The rungs of the S4 HTTP ladder: direct → thin floor → gateway, each with a small and an 8 KB prompt body,
 * then gateway rungs that change one thing through what exists (no bench-only switches in gateway code): a
 * login token instead of a key, the anonymous free tier, and variant gateway processes started with one env
 * setting changed (VARIANTS). What cannot be switched off this way is listed in NOT_SEPARABLE.
 */
import { BENCH_POLICY } from '../scenarios/s5-summary';
import { bodyText } from './s4-bodies';
import type { Rung } from './s4-http';
import type { Target } from './options';

/** Gateway processes started next to the main one, each with one setting changed. */
export const VARIANTS = [
  {
    name: 'keyread',
    env: { API_KEY_CACHE_TTL_MS: '0' },
    adds: 'API_KEY_CACHE_TTL_MS=0: no key or user-state cache, the key is read from Postgres on every request',
  },
  {
    name: 'ckpt60s',
    env: { REPLICA_CHECKPOINT_MS: '60000' },
    adds: 'REPLICA_CHECKPOINT_MS=60000 (default 1000): Δ ≈ minus the cost of the 1 s progress checkpoint',
  },
  {
    name: 'nometrics',
    env: { METRICS_ENABLED: 'false' },
    adds: 'METRICS_ENABLED=false (default true): Δ ≈ minus the cost of the Prometheus counters and histograms per request',
  },
] as const;

/** Env every S4 gateway gets (BENCH_GATEWAY_ENV still wins): login tokens counted but never refused, like keys. */
export const S4_GATEWAY_ENV: Record<string, string> = { RATE_LIMIT_JWT: '1000000000' };

export const NOT_SEPARABLE = [
  'raw-JSON pre-scan (checkJsonBytes): always on; JSON_MAX_* only move the limits → priced in process (stage table)',
  'ajv schemas with bounds on every field: always on → priced in process per surface and body',
  'rate limiter: no off switch (RATE_LIMIT_KEY only moves the limit; in-process store embedded, Redis with production.sh)',
  'credit reservation (gw_reserve_credits_batch, one per batch of an organisation’s calls) and progress book: always on for a paying caller → round trip and book priced in process; the free-tier rung drops them but adds a claim INSERT',
  'audit and billing enqueue with record sanitising: always on → sanitisers priced in process',
  'policy on /v1 without policy fields: only the field split runs → priced in process (policy stage rows)',
];

export interface RungInputs {
  direct: Target;
  thin?: Target;
  gateway?: Target;
  variants: Array<{ name: string; adds: string; target: Target }>;
  model: string;
  /** Bearer login token for the JWT rung (none: the rung is skipped). */
  jwt?: string;
  /** Project keys for the issue-10 rungs (none: skipped). */
  projects?: { plain: string; quota: string };
}

const json = { 'content-type': 'application/json' };

export function buildRungs(x: RungInputs): Rung[] {
  const small = bodyText('chat', 'small', x.model);
  const big = bodyText('chat', '8k', x.model);
  const fixed = (t: Target): (() => Record<string, string>) => {
    const h = { ...json, ...t.headers };
    return () => h;
  };
  const rung = (label: string, t: Target, body: string, adds: string, reference?: string, floor?: string): Rung => ({
    label,
    adds,
    reference,
    floor,
    target: t,
    path: t.path,
    body,
    headers: fixed(t),
    fixedHeaders: true,
  });
  const rungs: Rung[] = [
    rung('direct small', x.direct, small, 'the mock alone (~350 B chat body)'),
    rung('direct 8k', x.direct, big, 'the mock reading an 8 KB prompt body', 'direct small'),
  ];
  if (x.thin) {
    rungs.push(
      rung('thin small', x.thin, small, 'the floor: Fastify + undici, body parsed and re-serialised', 'direct small'),
      rung('thin 8k', x.thin, big, 'the floor with an 8 KB prompt', 'thin small'),
    );
  }
  const floorSmall = x.thin ? 'thin small' : undefined;
  const g = x.gateway;
  if (g) {
    rungs.push(
      rung('gateway small', g, small, 'all features, API key (cached)', floorSmall, floorSmall),
      rung('gateway 8k', g, big, '8 KB prompt: pre-scan, parse, validation, mapping, token estimate', 'gateway small', x.thin ? 'thin 8k' : undefined),
    );
    // Issue 9: the same 8 KB prompt on the policy surface with an inline policy of 1,000 deny terms, every PII detector
    // and three built-in categories (the body grows by the policy's ~25 KB; the compiled policy is cached by content).
    const withPolicy = JSON.stringify({ ...(JSON.parse(big) as object), policy: BENCH_POLICY });
    rungs.push({
      ...rung('gateway policy 8k', g, withPolicy, '/policy/v1/chat/completions, inline policy: 1,000 deny terms + every PII detector + built-in categories', 'gateway 8k', x.thin ? 'thin 8k' : undefined),
      path: '/policy/v1/chat/completions',
    });
    // Issue 10: the same policy stored and linked to a project, reached with a project key (project resolution and
    // the stored-policy cache instead of the inline body), then the same with a user quota and a project budget.
    if (x.projects) {
      const project = (key: string): Target => ({ ...g, headers: { ...g.headers, authorization: `Bearer ${key}`, 'x-policy-user': 'bench-user' } });
      rungs.push(
        {
          ...rung('gateway project 8k', project(x.projects.plain), big, 'project key → stored policy (same 1,000 terms + PII + categories), no quotas', 'gateway policy 8k', x.thin ? 'thin 8k' : undefined),
          path: '/policy/v1/chat/completions',
        },
        {
          ...rung('gateway quota 8k', project(x.projects.quota), big, '+ per-user quota and project budget: one quota script, concurrent with the credit reservation', 'gateway project 8k', x.thin ? 'thin 8k' : undefined),
          path: '/policy/v1/chat/completions',
        },
      );
    }
    if (x.jwt) {
      const t = { ...g, headers: { ...g.headers, authorization: `Bearer ${x.jwt}` } };
      rungs.push(rung('gateway jwt', t, small, 'login token instead of key: HS256 verify + cached user state (token version, role)', 'gateway small', floorSmall));
    }
    // A fresh device (user agent) per request: each device gets one free request.
    let device = 0;
    const base = { ...json };
    const stamp = Date.now().toString(36);
    rungs.push({
      ...rung('gateway free-tier', g, small, 'no credential: one claim INSERT per device instead of key auth, no reservation, no billing', 'gateway small', floorSmall),
      headers: () => ({ ...base, 'x-free-tier': 'true', 'user-agent': `bench-s4-${stamp}-${device++}` }),
      fixedHeaders: false,
    });
  }
  for (const v of x.variants) rungs.push(rung(`gateway ${v.name}`, v.target, small, v.adds, g ? 'gateway small' : undefined, floorSmall));
  return rungs;
}
