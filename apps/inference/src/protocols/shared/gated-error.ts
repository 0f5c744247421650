/** The error a failed request reports once the deferred rate limit has had its say. */
import type { FastifyRequest } from 'fastify';

/**
 * The error a request fails with: the deferred rate limit's refusal when it was over its limit, whatever else went
 * wrong (as when the limiter ran first), else `err`.
 */
export async function gatedError(req: FastifyRequest, err: unknown): Promise<unknown> {
  const gate = req.rateLimitGate;
  if (!gate) return err;
  return gate.then(
    () => err,
    (refusal: unknown) => refusal,
  );
}
