import { AnthropicProvider } from './anthropic.provider';
import type { AnthropicConfig } from './anthropic.config';

/** Test-only helpers shared by the Anthropic provider's spec files (the generic ones come from the OpenAI provider's). */
export { canonical, collect, expectGatewayError, providerRequest, withTimeout } from '../openai-compatible/provider.spec-helpers';
// Until libs/testing/src/index.ts re-exports the fake, it is imported from its folder (see the provider's report).
export { startFakeAnthropic, type FakeAnthropic } from '@gw/testing';

export const SECRET = 'sk-ant-test-SECRET-0123456789';

export function config(baseUrl: string, over: Partial<AnthropicConfig> = {}): AnthropicConfig {
  return {
    id: 'fake-anth',
    kind: 'anthropic',
    base_url: baseUrl,
    api_key: SECRET,
    anthropic_version: '2023-06-01',
    extra_headers: {},
    timeout_ms: 5_000,
    connect_timeout_ms: 1_000,
    connections: 8,
    supports_images: true,
    default_max_tokens: 4096,
    ...over,
  };
}

/** Providers made during a test, closed in `afterEach`. */
export class AnthropicBag {
  private readonly all: AnthropicProvider[] = [];
  make(cfg: AnthropicConfig): AnthropicProvider {
    const p = new AnthropicProvider(cfg);
    this.all.push(p);
    return p;
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.all.splice(0).map((p) => p.close()));
  }
}
