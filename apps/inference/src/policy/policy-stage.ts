import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { gatedError } from '../protocols/shared/protocol-handler';
import { takePolicyFields } from './policy-fields';
import { PolicyResolver, type ResolvedPolicy } from './policy-resolver';

declare module 'fastify' {
  interface FastifyRequest {
    /** The policy the policy stage resolved for this request (set by {@link PolicyStage}); null: none applies. */
    policyResolution?: ResolvedPolicy | null;
  }
}

/** `/policy/<path>` and `/policy/v1/<path>` are the policy surface; everything else is `/v1/*`. */
export function isPolicyPath(url: string): boolean {
  return url.startsWith('/policy/');
}

/**
 * The policy stage's entry, one place for all three protocols: takes the policy fields off the body (no upstream
 * ever sees them; headers win over body fields), and resolves the request's policy: inline, stored, or the `/v1`
 * `flagged_categories`. Each protocol controller calls {@link enter} first, where the design card has an
 * interceptor: Nest's interceptor chain wraps every call in a dozen rxjs objects and async scopes, a measured
 * share of the hot path (docs/architecture.md "Policy stage shape"). Evaluation needs the canonical request and the
 * output stream, so it runs in the protocol handler. A failure here propagates to the exception filter before the
 * handler is reached, as an interceptor's did.
 */
@Injectable()
export class PolicyStage {
  constructor(private readonly resolver: PolicyResolver) {}

  async enter(req: FastifyRequest): Promise<void> {
    const { body, fields } = takePolicyFields(req.body, req.headers);
    req.body = body;
    const path = req.url.split('?', 1)[0];
    // count_tokens is free and calls no model: the fields are dropped, nothing is evaluated.
    try {
      req.policyResolution = path.endsWith('/count_tokens') ? null : await this.resolver.resolve(isPolicyPath(path) ? 'policy' : 'v1', fields, req.payer);
    } catch (err) {
      throw await gatedError(req, err);
    }
  }
}
