import type { ModelConfig } from '@gw/config';
import type { CanonicalRequest } from '../canonical/canonical-request';
import { GatewayError } from '../errors/gateway-error';

/**
 * Holds a request's output cap to the catalogue's `max_output_tokens` for its model, before any credit is
 * reserved. A cap the caller set above it is a 400 naming the caller's field, worded as each vendor words it;
 * a cap the gateway chose (Anthropic's default `max_tokens`) is lowered instead. No limit set: unchanged.
 */
export function withinOutputLimit(request: CanonicalRequest, model: Pick<ModelConfig, 'id' | 'max_output_tokens'>): CanonicalRequest {
  const limit = model.max_output_tokens;
  const wanted = request.maxTokens;
  if (limit === undefined || wanted === undefined || wanted <= limit) return request;
  const param = request.maxTokensParam;
  if (!param) return { ...request, maxTokens: limit };
  const message =
    request.passthrough.dialect === 'anthropic-messages'
      ? `${param}: ${wanted} > ${limit}, which is the maximum allowed number of output tokens for ${model.id}`
      : `${param} is too large: ${wanted}. This model supports at most ${limit} completion tokens, whereas you provided ${wanted}.`;
  throw GatewayError.invalid(message, param);
}
