import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ModelConfig } from '@gw/config';
import { MODEL_CATALOG, type ModelCatalog } from '@gw/inference';

const CREATED = Math.floor(Date.now() / 1000);
const CREATED_AT = new Date(CREATED * 1000).toISOString();

/**
 * One shape both SDKs read: OpenAI's model object (`object`, `created`, `owned_by`) with Anthropic's
 * fields (`type`, `display_name`, `created_at`) beside them, so neither needs header sniffing.
 */
function wire(m: ModelConfig, id = m.id) {
  return { id, object: 'model' as const, created: CREATED, owned_by: m.owned_by, type: 'model' as const, display_name: id, created_at: CREATED_AT };
}

@ApiTags('Models')
@Controller('v1/models')
export class ModelsController {
  constructor(@Inject(MODEL_CATALOG) private readonly catalog: ModelCatalog) {}

  @Get()
  @ApiOperation({ operationId: 'listModels', summary: 'Model list (catalogue ids and aliases), readable by the OpenAI and Anthropic SDKs' })
  list() {
    const data = this.catalog.models().flatMap((m) => [wire(m), ...m.aliases.map((a) => wire(m, a))]);
    // OpenAI's list shape plus Anthropic's page fields (one page holds the whole catalogue).
    return { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'retrieveModel' })
  get(@Param('id') id: string) {
    return wire(this.catalog.resolve(id).model, id);
  }
}
