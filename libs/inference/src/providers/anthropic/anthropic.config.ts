import type { ProviderConfig } from '@gw/config';

/** One Anthropic Messages upstream (`kind: 'anthropic'` in the catalogue), defaults applied. */
export type AnthropicConfig = Extract<ProviderConfig, { kind: 'anthropic' }>;
