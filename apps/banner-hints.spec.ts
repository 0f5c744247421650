import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { catalogSchema } from '@gw/config';
import { claudeCodeModel, contextOf, keyHint, onPath } from './banner-hints';

const catalog = (models: unknown[], providers: unknown[]) => catalogSchema.parse({ providers, models });
const LOCAL = { id: 'local', kind: 'local-gguf', model_path: '/m.gguf' };
const VLLM = { id: 'vllm', kind: 'openai-compatible', base_url: 'http://vllm:8000/v1' };

describe('banner hints', () => {
  it('offers Claude Code only for a model whose context holds its prompt', () => {
    const tiny = catalog([{ id: 'tiny', provider: 'local', upstream_model: 'x' }], [LOCAL]);
    assert.equal(contextOf(tiny, 'tiny'), 2048);
    assert.equal(claudeCodeModel(tiny), undefined);
    const unknown = catalog([{ id: 'qwen', provider: 'vllm', upstream_model: 'q' }], [VLLM]);
    assert.equal(claudeCodeModel(unknown), undefined, 'an unknown context is not assumed large');
    const big = catalog(
      [
        { id: 'qwen', provider: 'vllm', upstream_model: 'q' },
        { id: 'qwen-128k', provider: 'vllm', upstream_model: 'q', context_window: 131072 },
      ],
      [VLLM],
    );
    assert.equal(claudeCodeModel(big), 'qwen-128k');
  });

  it('finds executables on a PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'path-'));
    writeFileSync(join(dir, 'claude'), '#!/bin/sh\n');
    assert.equal(onPath('claude', dir), false, 'not executable yet');
    chmodSync(join(dir, 'claude'), 0o755);
    assert.equal(onPath('claude', `/nonexistent:${dir}`), true);
    assert.equal(onPath('claude', '/nonexistent'), false);
  });

  it('says where the key is on a later start, or how to create one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-'));
    assert.match(keyHint(dir, true).join('\n'), /keys create/);
    writeFileSync(join(dir, 'bootstrap.json'), '{}');
    const hint = keyHint(dir, true).join('\n');
    assert.ok(hint.includes(join(dir, 'bootstrap.json')), hint);
    assert.match(hint, /export API_KEY=\$\(node -p "require\('.*bootstrap\.json'\)\.api_key\.key"\)/);
  });
});
