import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { GatewayError, GatewayErrorCode, type Admission, type AdmitInput, type Charge, type Forecast, type Meter, type Usage } from '@gw/inference';
import { CreditMeter, QUOTA_STORE, type QuotaHold, type QuotaReserveResult, type QuotaStore } from '@gw/metering';

/** `reason_code` and wire code of each quota refusal (spec §4.3, architecture "Policy outcomes"). */
const REFUSAL = {
  user: { reason: 'USER_QUOTA_EXCEEDED', wire: 'user_quota_exceeded', who: 'Your quota' },
  project: { reason: 'PROJECT_QUOTA_EXCEEDED', wire: 'project_quota_exceeded', who: "The project's budget" },
} as const;

interface QuotaState {
  inner: Admission;
  hold: QuotaHold | null;
}

/** A refused hold as the caller's 429: which quota, what it allows, when it resets; the `policy` object is added by the handler. */
export function quotaRefusal(r: Extract<QuotaReserveResult, { ok: false }>, nowMs = Date.now()): GatewayError {
  const kind = REFUSAL[r.scope];
  const unit = r.dimension === 'requests' ? 'requests' : 'tokens';
  const retryAfterSeconds = Math.max(1, Math.ceil((r.resetAtMs - nowMs) / 1000));
  return new GatewayError(
    GatewayErrorCode.RateLimited,
    `${kind.who} of ${r.limit} ${unit} for this window is used up (${r.used} used); it resets at ${new Date(r.resetAtMs).toISOString()}.`,
    { wireCode: kind.wire, retryAfterSeconds, extra: { quota_refusal: { reason_code: kind.reason, scope: r.scope, dimension: r.dimension } } },
  );
}

/**
 * Credits and quotas around a call. Both are held at admission, concurrently, so quotas add no sequential round
 * trip to the request path (the credit reservation and the quota script are in flight together); if either
 * refuses, the other is given back before the error propagates. Quotas hold the call's upper bound (input + output
 * cap) and settle to real usage, like credits; a call that never reached the model gives its request back.
 * Quotas fail closed: when their store cannot answer, nobody can tell whether the call fits, so it is a 503.
 */
@Injectable()
export class QuotaMeter implements Meter {
  private readonly log = new Logger(QuotaMeter.name);
  private readonly defaultMaxTokens: number;
  /** Counter keys refused on this replica, until their window resets; '' while the store is failing. */
  private readonly refusedUntil = new Map<string, number>();

  constructor(
    private readonly credits: CreditMeter,
    @Inject(QUOTA_STORE) private readonly quotas: QuotaStore,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.defaultMaxTokens = config.env.DEFAULT_MAX_TOKENS;
  }

  async admit(input: AdmitInput): Promise<Admission> {
    const plan = input.quota;
    if (!plan || plan.counters.length === 0) return this.credits.admit(input);
    const tokens = input.inputTokens + (input.request.maxTokens ?? this.defaultMaxTokens);
    const holdId = `${input.requestId}:${randomUUID()}`; // request ids may come from callers: never let two calls share a hold
    const [credit, quota] = await Promise.allSettled([
      this.credits.admit(input),
      this.quotas.reserve({ holdId, counters: plan.counters, requests: plan.requests, tokens }),
    ]);
    const release = () => {
      if (credit.status === 'fulfilled') this.credits.settle(credit.value, { inputTokens: 0, outputTokens: 0 }, false, Date.now());
      if (quota.status === 'fulfilled' && quota.value.ok) void this.quotas.release(quota.value.hold);
    };
    if (quota.status === 'rejected') {
      this.refused('', Date.now() + 1_000);
      release();
      if (credit.status === 'rejected') throw credit.reason;
      throw new GatewayError(GatewayErrorCode.UpstreamOverloaded, 'Quota accounting is unavailable; retry shortly.', {
        status: 503,
        wireCode: 'quota_unavailable',
        retryAfterSeconds: 1,
        cause: quota.reason,
      });
    }
    if (!quota.value.ok) {
      const { scope, resetAtMs } = quota.value;
      for (const c of plan.counters) if (c.scope === scope) this.refused(c.key, resetAtMs);
      release();
      throw quotaRefusal(quota.value);
    }
    if (credit.status === 'rejected') {
      release();
      throw credit.reason;
    }
    const state: QuotaState = { inner: credit.value, hold: quota.value.hold };
    return { maxTokens: credit.value.maxTokens, capped: credit.value.capped, state };
  }

  /**
   * The credits' forecast, unless a counter of this call (or the store itself) refused on this replica and has not
   * reset since. A quota has no headroom view: a counter at its edge costs at most one burst of aborted upstream
   * calls, after which its refusal is remembered.
   */
  forecast(input: AdmitInput): Forecast | undefined {
    const counters = input.quota?.counters ?? [];
    if (counters.length > 0 && this.refusedUntil.size > 0) {
      const now = Date.now();
      if ((this.refusedUntil.get('') ?? 0) > now) return undefined;
      for (const c of counters) if ((this.refusedUntil.get(c.key) ?? 0) > now) return undefined;
    }
    return this.credits.forecast(input);
  }

  private refused(key: string, untilMs: number): void {
    if (this.refusedUntil.size >= 10_000) this.refusedUntil.clear();
    this.refusedUntil.set(key, untilMs);
  }

  watch(admission: Admission, progress: () => Usage): void {
    this.credits.watch(inner(admission), progress);
  }

  settle(admission: Admission, usage: Usage, reachedModel: boolean, occurredAtMs: number): Charge {
    const state = admission.state;
    if (isQuotaState(state) && state.hold) {
      const hold = state.hold;
      state.hold = null; // exactly once per admission
      const done = reachedModel ? this.quotas.settle(hold, usage.inputTokens + usage.outputTokens) : this.quotas.release(hold);
      done.catch((err: Error) => this.log.warn(`quota settlement failed: ${err.message}; the hold expires on its own`));
    }
    return this.credits.settle(inner(admission), usage, reachedModel, occurredAtMs);
  }
}

function isQuotaState(s: unknown): s is QuotaState {
  return typeof s === 'object' && s !== null && 'inner' in s && 'hold' in s;
}

function inner(admission: Admission): Admission {
  const s = admission.state;
  return isQuotaState(s) ? s.inner : admission;
}
