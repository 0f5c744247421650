import type { CanonicalRequest } from '../canonical/canonical-request';
import type { Usage } from '../canonical/canonical-event';

/** Who pays for a call (set by the auth guard; absent only in tests that run without identity). */
export interface Payer {
  kind: 'api_key' | 'user' | 'free_tier';
  orgId: string | null;
  apiKeyId: string | null;
  userId: string | null;
  /** The project an `ak_` project key is bound to (null otherwise). */
  projectId: string | null;
}

/** One quota counter a call must fit in (per user or per project; `key` identifies it without its window). */
export interface QuotaCounterRef {
  scope: 'user' | 'project';
  key: string;
  limit: { requests: number; tokens: number; window: 'daily' | 'weekly' | 'monthly' };
}

/**
 * The quotas the policy stage attached to a call (`/policy/*` with a project or a quota-bearing policy). The
 * meter holds `requests` (0 for the second call of a summarised answer) and the call's token upper bound on every
 * counter at admission, atomically, and settles the tokens from real usage.
 */
export interface QuotaPlan {
  counters: QuotaCounterRef[];
  requests: 0 | 1;
}

/** The outcome of admission, handed back to {@link Meter.settle}. */
export interface Admission {
  /** Output cap to send to the model (undefined = the caller's own). */
  maxTokens?: number;
  /** True when the cap was lowered to what the balance affords. */
  capped: boolean;
  /** Meter-private state (reservation id, grant...). */
  readonly state?: unknown;
}

/** What the call cost, for the response body / final stream event. */
export interface Charge {
  remainingCredits: number;
  creditsUsed: number;
  costUsd: number;
}

export interface AdmitInput {
  requestId: string;
  payer: Payer | undefined;
  request: CanonicalRequest;
  /** Input tokens counted (or estimated) for the target model. */
  inputTokens: number;
  /** Catalogue id of the model. */
  model: string;
  /** What a peer needs to settle and audit the call should this process die mid-call. */
  provider?: string;
  upstreamModel?: string;
  surface?: string;
  stream?: boolean;
  startedAtMs?: number;
  /** Quotas to hold for this call (none when absent). */
  quota?: QuotaPlan;
}

/**
 * Credits around a call: `admit` reserves the upper bound before the model is called (throws a 402
 * GatewayError when the balance cannot pay for one credit); `settle` charges real usage and releases
 * the rest, exactly once per admission, and never throws.
 */
export interface Meter {
  admit(input: AdmitInput): Promise<Admission>;
  settle(admission: Admission, usage: Usage, reachedModel: boolean, occurredAtMs: number): Charge;
  /**
   * The call reached the model: from now on `progress` (usage so far) is checkpointed, so that if this
   * process dies before {@link settle}, a peer charges what was generated. Called at most once; cheap.
   */
  watch?(admission: Admission, progress: () => Usage): void;
  /**
   * The admission this call will almost certainly get, judged without I/O from what the stores answered recently
   * ({@link Headroom}); `undefined` when unsure (a new payer, a stale or low balance, a recent refusal). With a
   * forecast the service sends the call upstream while {@link admit} is in flight and releases nothing before it
   * resolves. May take from the hint (a burst cannot all be forecast on one answer). Never throws.
   */
  forecast?(input: AdmitInput): Forecast | undefined;
}

/** What {@link Meter.forecast} expects admission to return: the output cap it will send. */
export interface Forecast {
  maxTokens: number | undefined;
}

export const METER = Symbol('METER');
