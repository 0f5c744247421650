import type { CanonicalEvent } from '../../canonical/canonical-event';
import type { CanonicalRequest } from '../../canonical/canonical-request';
import { GatewayError, type GatewayErrorCode } from '../../errors/gateway-error';
import type { ProviderRequest } from '../model-provider';
import { OpenAICompatibleProvider, type OpenAICompatibleConfig } from './openai-compatible.provider';

/** Test-only helpers shared by the provider's spec files. */

export const SECRET = 'sk-test-SECRET-0123456789';

export function config(baseUrl: string, over: Partial<OpenAICompatibleConfig> = {}): OpenAICompatibleConfig {
  return {
    id: 'fake-up',
    kind: 'openai-compatible',
    base_url: baseUrl,
    api_key: SECRET,
    timeout_ms: 5_000,
    connect_timeout_ms: 1_000,
    connections: 8,
    supports_images: true,
    ...over,
  };
}

export function canonical(over: Partial<CanonicalRequest> = {}): CanonicalRequest {
  return {
    model: 'abliterated-model',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hello there' }] }],
    sampling: {},
    stream: false,
    passthrough: { dialect: 'openai-chat', fields: {} },
    ...over,
  };
}

let seq = 0;
export function providerRequest(request: CanonicalRequest, signal = new AbortController().signal, upstreamModel = 'up-model'): ProviderRequest {
  return { request, upstreamModel, requestId: `req_${++seq}`, signal };
}

export async function collect(events: AsyncIterable<CanonicalEvent>): Promise<CanonicalEvent[]> {
  const out: CanonicalEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}

/** Awaits `p`, expecting a GatewayError with `code` (and `status`); returns it. */
export async function expectGatewayError(p: Promise<unknown>, code: GatewayErrorCode, status?: number): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof GatewayError)) throw new Error(`expected GatewayError ${code}, got ${String(err)}`, { cause: err });
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code}: ${err.message}`, { cause: err });
    if (status !== undefined && err.status !== status) throw new Error(`expected status ${status}, got ${err.status}`, { cause: err });
    return err;
  }
  throw new Error(`expected GatewayError ${code}, but it resolved`);
}

/** Providers made during a test, closed in `after`. */
export class ProviderBag {
  private readonly all: OpenAICompatibleProvider[] = [];
  make(cfg: OpenAICompatibleConfig): OpenAICompatibleProvider {
    const p = new OpenAICompatibleProvider(cfg);
    this.all.push(p);
    return p;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map((p) => p.close()));
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms)));
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}
