import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ModelConfig } from '@gw/config';
import { MODEL_CATALOG, type ModelCatalog } from '@gw/inference';

const CREATED = Math.floor(Date.now() / 1000);

function wire(m: ModelConfig, id = m.id) {
  return { id, object: 'model' as const, created: CREATED, owned_by: m.owned_by };
}

@ApiTags('Models')
@Controller('v1/models')
export class ModelsController {
  constructor(@Inject(MODEL_CATALOG) private readonly catalog: ModelCatalog) {}

  @Get()
  @ApiOperation({ operationId: 'listModels', summary: 'OpenAI-compatible model list (catalogue ids and aliases)' })
  list() {
    return { object: 'list', data: this.catalog.models().flatMap((m) => [wire(m), ...m.aliases.map((a) => wire(m, a))]) };
  }

  @Get(':id')
  @ApiOperation({ operationId: 'retrieveModel' })
  get(@Param('id') id: string) {
    return wire(this.catalog.resolve(id).model, id);
  }
}
