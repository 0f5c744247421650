import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '@gw/config';
import { IdentityError, readsOrganization, type Actor } from '@gw/identity';
import { PolicyHistoryReader } from '@gw/policy';
import { encodeHistoryCursor, parseHistoryQuery } from './history-query';
import { toHistoryEntry, type HistoryEntry } from './history.mapper';

export interface HistoryPage {
  entries: HistoryEntry[];
  next_cursor: string | null;
}

/**
 * The organisation's policy history: revisions and enforcement decisions, newest first, for owners, admins and
 * auditors. `POLICY_HISTORY_LIMIT` caps a page; nothing is pruned by count (history is audit data).
 */
@Injectable()
export class HistoryService {
  constructor(
    private readonly reader: PolicyHistoryReader,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async list(actor: Actor, query: unknown): Promise<HistoryPage> {
    if (!readsOrganization(actor.role)) throw IdentityError.forbidden('Members cannot read the policy history');
    const { filter, limit, after } = parseHistoryQuery(query, this.config.env.POLICY_HISTORY_LIMIT);
    const rows = await this.reader.page({ ...filter, orgId: actor.orgId }, after, limit + 1);
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    return { entries: shown.map(toHistoryEntry), next_cursor: rows.length > limit && last ? encodeHistoryCursor(last.position) : null };
  }
}
