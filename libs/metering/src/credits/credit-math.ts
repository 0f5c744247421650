/** Pricing of one gateway deployment (config CREDIT_TOKENS_PER_CREDIT, PRICE_USD_PER_TOKEN). */
export interface Pricing {
  tokensPerCredit: number;
  usdPerToken: number;
}

/** Credits charged for a call: `max(1, ceil(total_tokens / tokensPerCredit))` (spec §5). */
export function creditsFor(totalTokens: number, p: Pricing): number {
  return Math.max(1, Math.ceil(Math.max(0, totalTokens) / p.tokensPerCredit));
}

/** Dollar estimate of a call: `total_tokens × usdPerToken`, rounded to 1e-9 to drop float noise. */
export function costUsd(totalTokens: number, p: Pricing): number {
  return Math.round(Math.max(0, totalTokens) * p.usdPerToken * 1e9) / 1e9;
}

/** The most tokens `credits` can pay for (the inverse of {@link creditsFor}). */
export function tokensAffordable(credits: number, p: Pricing): number {
  return Math.max(0, credits) * p.tokensPerCredit;
}

export interface AdmissionPlan {
  /** Credits to reserve: the price of the upper bound (input + output cap). */
  credits: number;
  /** The output cap to send to the model (lowered when the grant cannot pay for the requested one). */
  maxTokens: number;
  /** True when `maxTokens` was lowered to what the balance affords. */
  capped: boolean;
}

/**
 * Given a granted reservation, the output cap it pays for. `null` when the grant cannot even pay for
 * the input plus one output token (the caller answers 402).
 */
export function planForGrant(grantCredits: number, inputTokens: number, wantedMaxTokens: number, p: Pricing): AdmissionPlan | null {
  const room = tokensAffordable(grantCredits, p) - inputTokens;
  if (room < 1) return null;
  const maxTokens = Math.min(wantedMaxTokens, room);
  return { credits: grantCredits, maxTokens, capped: maxTokens < wantedMaxTokens };
}
