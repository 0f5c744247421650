import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { GatewayError, GatewayErrorCode, Headroom, type Admission, type AdmitInput, type Charge, type Forecast, type Meter, type Payer, type Usage } from '@gw/inference';
import { waitAtMost } from '@gw/queue';
import { BillingProducer } from './billing.producer';
import { costUsd, creditsFor, planForGrant, type Pricing } from './credit-math';
import { CreditLeases } from './credit-leases';
import { CreditReservations, type ReservationFacts } from './credit-reservations';

export const CREDIT_METER_OPTIONS = Symbol('CREDIT_METER_OPTIONS');

export interface CreditMeterOptions {
  pricing: Pricing;
  reservationTtlMs: number;
  /** Output cap reserved for when the request names none (DEFAULT_MAX_TOKENS). */
  defaultMaxTokens: number;
  freeTierMaxTokens: number;
}

interface MeterState {
  requestId: string;
  model: string;
  payer: Payer;
  granted: number;
  availableBefore: number;
  settled: boolean;
  /** The credit lease it was granted from (none: a reservation row of its own). */
  lease?: string;
}

/** The longest a call waits for this replica's lease take or return in flight before reserving on its own. */
const LEASE_WAIT_MS = 1_000;

const safeTokens = (n: number): number => (Number.isNaN(n) ? 0 : Math.min(Math.max(0, n), Number.MAX_SAFE_INTEGER / 2));

const insufficient = (message: string) =>
  new GatewayError(GatewayErrorCode.PaymentRequired, message, { wireCode: 'insufficient_credits' });

/**
 * Credits around each call. Admission reserves the price of the upper bound (input + output cap) and
 * lowers the cap to what the grant pays for; settlement charges `max(1, ceil(tokens/500))` of the real
 * usage (0 when the model was never reached), capped at the grant, through the billing queue.
 * The free tier is never charged; its output is capped by FREE_TIER_MAX_TOKENS.
 */
@Injectable()
export class CreditMeter implements Meter {
  private readonly log = new Logger(CreditMeter.name);
  /** Each organisation's available credits as its last reservation left them (the forecast's evidence). */
  private readonly headroom = new Headroom();

  constructor(
    @Inject(CREDIT_METER_OPTIONS) private readonly opts: CreditMeterOptions,
    private readonly reservations: CreditReservations,
    private readonly billing: BillingProducer,
    @Optional() private readonly leases?: CreditLeases,
  ) {}

  async admit(input: AdmitInput): Promise<Admission> {
    const { requestId, payer, request, inputTokens, model } = input;
    if (!payer) return { capped: false };
    if (payer.kind === 'free_tier') {
      const cap = this.opts.freeTierMaxTokens;
      return { maxTokens: Math.min(request.maxTokens ?? cap, cap), capped: false };
    }
    if (!payer.orgId) throw insufficient('This credential belongs to no organisation with credits.');
    const wanted = request.maxTokens ?? this.opts.defaultMaxTokens;
    const credits = creditsFor(inputTokens + wanted, this.opts.pricing);
    const facts: ReservationFacts = {
      apiKeyId: payer.apiKeyId,
      userId: payer.userId,
      model,
      provider: input.provider ?? '',
      upstreamModel: input.upstreamModel ?? '',
      surface: input.surface ?? '',
      stream: input.stream ?? false,
      inputTokens,
      startedAtMs: input.startedAtMs ?? Date.now(),
    };
    const full = planForGrant(credits, inputTokens, wanted, this.opts.pricing);
    let leased = full && this.leases?.grant(payer.orgId, requestId, credits, facts);
    const pending = full && !leased && this.leases?.pending(payer.orgId);
    if (pending) {
      // Waits for this replica's own lease I/O (so the reservation below reads what this replica holds), and a take
      // that lands may cover the call. Bounded: a stalled take leaves the call to the per-call path.
      await waitAtMost(pending, LEASE_WAIT_MS);
      leased = this.leases!.grant(payer.orgId, requestId, credits, facts);
    }
    if (full && leased) {
      this.headroom.renew(payer.orgId, leased.availableBefore - credits);
      const state: MeterState = { requestId, model, payer, granted: credits, availableBefore: leased.availableBefore, settled: false, lease: leased.leaseId };
      return { maxTokens: full.maxTokens, capped: request.maxTokens !== undefined && full.capped, state };
    }
    let reservation;
    this.headroom.begin(payer.orgId, credits);
    try {
      reservation = await this.reservations.reserve(payer.orgId, requestId, credits, this.opts.reservationTtlMs, facts);
    } catch (err) {
      this.headroom.settle(payer.orgId, credits, 0); // no forecast until the store answers again
      // Credits fail closed: without the store nobody can tell whether the call is paid for.
      throw new GatewayError(GatewayErrorCode.UpstreamOverloaded, 'Credit accounting is unavailable; retry shortly.', { status: 503, cause: err });
    }
    this.headroom.settle(payer.orgId, credits, reservation.availableBefore - reservation.granted);
    if (reservation.granted >= 1) this.leases?.observe(payer.orgId, reservation.availableBefore - reservation.granted, credits);
    if (reservation.granted < 1) {
      throw insufficient('Insufficient credits: the balance is below one credit. Top up to continue.');
    }
    // This replica's own lease is held, not spent: it is part of what the organisation has left, as a lease grant reports.
    const availableBefore = reservation.availableBefore + (this.leases?.freeCredits(payer.orgId) ?? 0);
    const state: MeterState = { requestId, model, payer, granted: reservation.granted, availableBefore, settled: false };
    const plan = planForGrant(reservation.granted, inputTokens, wanted, this.opts.pricing);
    if (!plan) {
      this.settle({ capped: false, state }, { inputTokens: 0, outputTokens: 0 }, false, Date.now()); // release
      throw insufficient(`Insufficient credits: the balance pays for ${reservation.granted * this.opts.pricing.tokensPerCredit} tokens but the input alone is ${inputTokens}.`);
    }
    return { maxTokens: plan.maxTokens, capped: request.maxTokens !== undefined && plan.capped, state };
  }

  /**
   * Without I/O: the free tier and unmetered calls always; an organisation when its last reservation (on this
   * replica, within 2 s, or for one call at a time after a pause: see Headroom) left at least this call's full price,
   * which is then taken from that view.
   */
  forecast(input: AdmitInput): Forecast | undefined {
    const { payer, request, inputTokens } = input;
    if (!payer) return { maxTokens: undefined };
    if (payer.kind === 'free_tier') return { maxTokens: Math.min(request.maxTokens ?? this.opts.freeTierMaxTokens, this.opts.freeTierMaxTokens) };
    if (!payer.orgId) return undefined;
    const wanted = request.maxTokens ?? this.opts.defaultMaxTokens;
    try {
      const credits = creditsFor(inputTokens + wanted, this.opts.pricing);
      const plan = planForGrant(credits, inputTokens, wanted, this.opts.pricing);
      if (!plan) return undefined;
      if (!this.leases?.covers(payer.orgId, credits) && !this.headroom.take(payer.orgId, credits)) return undefined;
      return { maxTokens: plan.maxTokens };
    } catch {
      return undefined; // unpriceable: admit() gives the 400
    }
  }

  watch(admission: Admission, progress: () => Usage): void {
    const state = admission.state as MeterState | undefined;
    if (state && !state.settled) this.reservations.watch(state.requestId, progress);
  }

  settle(admission: Admission, usage: Usage, reachedModel: boolean, occurredAtMs: number): Charge {
    const state = admission.state as MeterState | undefined;
    // Settlement never throws: a provider reporting absurd usage is priced at the largest safe count (and so
    // charged the whole hold) rather than failing the pricing guard meant for admission.
    const total = safeTokens(usage.inputTokens) + safeTokens(usage.outputTokens);
    const cost = reachedModel ? costUsd(total, this.opts.pricing) : 0;
    if (!state) return { remainingCredits: 0, creditsUsed: 0, costUsd: cost };
    const due = reachedModel ? creditsFor(total, this.opts.pricing) : 0;
    const credits = Math.min(due, state.granted);
    if (state.settled) return { remainingCredits: state.availableBefore - credits, creditsUsed: credits, costUsd: cost };
    state.settled = true;
    this.reservations.forget(state.requestId);
    if (state.lease) this.leases?.settle(state.requestId, credits);
    if (due > state.granted) this.log.warn(`request ${state.requestId} used ${due} credits but held ${state.granted}; charged ${state.granted}`);
    this.billing.record({
      v: 1,
      requestId: state.requestId,
      orgId: state.payer.orgId!,
      apiKeyId: state.payer.apiKeyId,
      userId: state.payer.userId,
      model: state.model,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      credits,
      costUsd: cost,
      occurredAt: new Date(occurredAtMs).toISOString(),
      ...(state.lease ? { lease: state.lease } : {}),
    });
    return { remainingCredits: Math.max(0, state.availableBefore - credits), creditsUsed: credits, costUsd: cost };
  }
}
