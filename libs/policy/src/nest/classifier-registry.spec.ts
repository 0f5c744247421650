import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { GatewayConfig } from '@gw/config';
import { lexiconReady } from '../engine';
import { ClassifierRegistry } from './classifier-registry';

// @test-own-process: the lexicon's module state must start unbuilt here (scripts/test.sh gives this file a process of its own).
it('builds the lexicon at boot (the registry is constructed when either app starts), not in the first request', () => {
  assert.equal(lexiconReady(), false);
  const registry = new ClassifierRegistry({ env: { CLASSIFIER_TIMEOUT_MS: 1_000, POLICY_CLASSIFIER: 'builtin' } } as unknown as GatewayConfig);
  assert.equal(lexiconReady(), true);
  assert.equal(registry.get(null).id, 'builtin');
  assert.deepEqual(
    registry.streamClassify('I want to murder my boss.').map((v) => v.category),
    ['violence'],
  );
});
