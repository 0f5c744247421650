import { GatewayError } from '@gw/inference';

/** Pricing of one gateway deployment (config CREDIT_TOKENS_PER_CREDIT, PRICE_USD_PER_TOKEN). */
export interface Pricing {
  tokensPerCredit: number;
  usdPerToken: number;
}

/**
 * Token counts priced here must be finite safe integers. The request schemas keep every cap below 2^31, so this
 * only trips on a path that bypassed them; it then fails as a 400 before anything is reserved, never as a
 * non-finite or imprecise amount reaching the credit store (where it used to become a 503, or `Infinity` in SQL).
 */
function tokens(n: number, what: string): number {
  if (!Number.isFinite(n) || Math.abs(n) > Number.MAX_SAFE_INTEGER) {
    throw GatewayError.invalid(`The ${what} (${n}) is too large to price; ask for fewer tokens.`);
  }
  return Math.max(0, n);
}

/** Credits charged for a call: `max(1, ceil(total_tokens / tokensPerCredit))` (spec §5). */
export function creditsFor(totalTokens: number, p: Pricing): number {
  return Math.max(1, Math.ceil(tokens(totalTokens, 'token count') / p.tokensPerCredit));
}

/** Dollar estimate of a call: `total_tokens × usdPerToken`, rounded to 1e-9 to drop float noise. */
export function costUsd(totalTokens: number, p: Pricing): number {
  return Math.round(tokens(totalTokens, 'token count') * p.usdPerToken * 1e9) / 1e9;
}

/** The most tokens `credits` can pay for (the inverse of {@link creditsFor}), at most `Number.MAX_SAFE_INTEGER`. */
export function tokensAffordable(credits: number, p: Pricing): number {
  return Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, credits) * p.tokensPerCredit);
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
  tokens(inputTokens, 'input token count');
  tokens(wantedMaxTokens, 'output token cap');
  const room = tokensAffordable(grantCredits, p) - inputTokens;
  if (room < 1) return null;
  const maxTokens = Math.min(wantedMaxTokens, room);
  return { credits: grantCredits, maxTokens, capped: maxTokens < wantedMaxTokens };
}
