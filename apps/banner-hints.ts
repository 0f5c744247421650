import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { executableSearchPath, type CatalogConfig } from '@gw/config';

/** Claude Code's own prompt (system prompt + tool definitions) is ~50k tokens: a smaller context cannot answer it. */
export const CLAUDE_CODE_MIN_CONTEXT = 64_000;

/** The context window of a catalogue model when the catalogue tells it (Anthropic models: 200k). */
export function contextOf(catalog: CatalogConfig, modelId: string): number | undefined {
  const model = catalog.models.find((m) => m.id === modelId);
  if (!model) return undefined;
  if (model.context_window) return model.context_window;
  const provider = catalog.providers.find((p) => p.id === model.provider);
  if (provider?.kind === 'local-gguf') return provider.context_size;
  if (provider?.kind === 'anthropic') return 200_000;
  return undefined;
}

/** The first model Claude Code can work with, if any. */
export function claudeCodeModel(catalog: CatalogConfig): string | undefined {
  return catalog.models.find((m) => (contextOf(catalog, m.id) ?? 0) >= CLAUDE_CODE_MIN_CONTEXT)?.id;
}

/** True when `name` is an executable on the PATH. */
export function onPath(name: string, path = executableSearchPath()): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Where the caller's key is when this start did not create one: the first start's `bootstrap.json` (a command that
 * reads it into $API_KEY), or how to create a key.
 */
export function keyHint(dataDir: string, embedded: boolean): string[] {
  const file = join(dataDir, 'bootstrap.json');
  if (existsSync(file)) {
    return [`  API key       : the first start's key is in ${file}; load it with`, `    export API_KEY=$(node -p "require('${file}').api_key.key")`];
  }
  const how = embedded ? 'npm run -s ops -- keys create --org-id <id>' : 'npm run -s ops -- orgs create --org <name> --email <email>';
  return [`  API key       : none shown here; create one with \`${how}\` (prints it once) and export API_KEY=<key>`];
}
