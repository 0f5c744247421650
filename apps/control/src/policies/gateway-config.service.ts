import { Injectable } from '@nestjs/common';
import type { Actor } from '@gw/identity';
import { PolicyRepository, PolicyStoreError } from '@gw/policy';
import { settle } from './policies.service';
import { historyActor, prepareConfig, requireReader, requireWriter } from './policy-document';

/** `{config, created_at, updated_at}` of spec §3.7. */
export interface GatewayConfigResponse {
  config: unknown;
  created_at: string;
  updated_at: string;
}

/**
 * The Gen-1 management API (`/api/policy-gateway/config`): the organisation's one `PolicyConfig`, kept as a stored
 * policy (its `policy_id`, `policy-gateway` when it names none) and a pointer to it. So the config has versions,
 * diff and restore like any policy, a save is a revision entry `config_save`, and editing that policy through the
 * policies API changes the config too.
 */
@Injectable()
export class GatewayConfigService {
  constructor(private readonly repo: PolicyRepository) {}

  async save(actor: Actor, body: unknown): Promise<GatewayConfigResponse> {
    requireWriter(actor);
    const { document, ...p } = prepareConfig(body);
    const saved = await this.repo.saveConfig({ orgId: actor.orgId, createdBy: actor.userId, ...p }, { actor: historyActor(actor) });
    await settle();
    return { config: document, created_at: saved.configCreatedAt.toISOString(), updated_at: saved.configUpdatedAt.toISOString() };
  }

  async get(actor: Actor): Promise<GatewayConfigResponse> {
    requireReader(actor);
    const found = await this.repo.findConfig(actor.orgId);
    if (!found?.latest) {
      const why = found ? `its policy '${found.policyId}' was deleted; POST a config to save a new one` : 'POST /api/policy-gateway/config saves one';
      throw new PolicyStoreError('config_not_found', `Your organisation has no policy configuration: ${why}`);
    }
    return { config: found.latest.document, created_at: found.createdAt.toISOString(), updated_at: found.updatedAt.toISOString() };
  }
}
