import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditActions, ConnectorDeliveryService, ConnectorStore, maskConfig, type ConnectorFields, type DeadLetter, type StoredConnector } from '@gw/audit';
import { ProjectError, type IfMatch } from '@gw/policy';
import { IdentityError, managesOrganization, readsOrganization, type Actor, type Principal } from '@gw/identity';
import { auditPrincipal } from '../audit-principal';
import { parseCreateConnector, parsePatchConnector } from './connector-body';
import { toConnectorResponse, toDeadLetterResponse, type ConnectorResponse, type DeadLetterResponse } from './connector.mapper';

/** Connectors one organisation may have. */
export const MAX_CONNECTORS_PER_ORG = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const notFound = () => new IdentityError('not_found', 'connector_not_found', 'No such connector in your organisation', { param: 'id' });
function writer(a: Actor): void {
  if (!managesOrganization(a.role)) throw IdentityError.forbidden('Only owners and admins manage audit connectors');
}
function reader(a: Actor): void {
  if (!readsOrganization(a.role)) throw IdentityError.forbidden('Members cannot read audit connectors');
}
/** An id from the URL: a malformed one is simply not found. */
const urlId = (id: string): string => {
  if (!UUID.test(id)) throw notFound();
  return id;
};

/**
 * Audit connectors of the caller's organisation (owners and admins write; auditors read; members 403; another
 * organisation's connector is a 404). Every change commits with its `admin` audit event, whose before/after carry the
 * masked config only. Secrets are never returned: reads mask them.
 */
@Injectable()
export class ConnectorsService {
  constructor(
    private readonly ds: DataSource,
    private readonly store: ConnectorStore,
    private readonly delivery: ConnectorDeliveryService,
    private readonly actions: AuditActions,
  ) {}

  async list(actor: Actor): Promise<{ data: ConnectorResponse[] }> {
    reader(actor);
    return { data: (await this.store.list(this.ds, actor.orgId)).map((c) => this.response(c)) };
  }

  async get(actor: Actor, id: string): Promise<ConnectorResponse> {
    reader(actor);
    return this.response(await this.find(this.ds, actor.orgId, id));
  }

  async create(actor: Actor, p: Principal, body: unknown): Promise<ConnectorResponse> {
    writer(actor);
    const { fields, backfill } = parseCreateConnector(body);
    const created = await this.ds.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`audit_connector:${actor.orgId}`]);
      if ((await this.store.count(tx, actor.orgId)) >= MAX_CONNECTORS_PER_ORG) {
        throw IdentityError.conflict(`An organisation may have at most ${MAX_CONNECTORS_PER_ORG} audit connectors`, 'connector_limit');
      }
      await this.checkProject(tx, actor.orgId, fields.projectId);
      const c = await this.store.create(tx, actor.orgId, fields, actor.userId, backfill).catch(duplicateName);
      await this.record(tx, actor, p, 'connector.create', c, { after: visible(fields), backfill });
      return c;
    });
    return this.response(created);
  }

  async patch(actor: Actor, p: Principal, id: string, body: unknown, ifMatch?: IfMatch): Promise<ConnectorResponse> {
    writer(actor);
    const updated = await this.ds.transaction(async (tx) => {
      const current = await this.find(tx, actor.orgId, id, true);
      if (ifMatch !== undefined && ifMatch !== '*' && !ifMatch.includes(current.revision)) throw preconditionFailed(current.revision);
      const fields = parsePatchConnector(body, current, () => this.store.open(current));
      await this.checkProject(tx, actor.orgId, fields.projectId);
      const c = await this.store.update(tx, current, fields).catch(duplicateName);
      await this.record(tx, actor, p, 'connector.update', c, { before: visible({ ...current, config: this.store.open(current) }), after: visible(fields) });
      return c;
    });
    return this.response(updated);
  }

  async delete(actor: Actor, p: Principal, id: string): Promise<void> {
    writer(actor);
    await this.ds.transaction(async (tx) => {
      const current = await this.find(tx, actor.orgId, id, true);
      await this.store.delete(tx, actor.orgId, current.id);
      await this.record(tx, actor, p, 'connector.delete', current, { before: visible({ ...current, config: this.store.open(current) }) });
    });
  }

  async deadLetters(actor: Actor, id: string, includeReplayed: boolean, limit: number): Promise<{ data: DeadLetterResponse[] }> {
    reader(actor);
    const c = await this.find(this.ds, actor.orgId, id);
    return { data: (await this.store.deadLetters(this.ds, actor.orgId, c.id, includeReplayed, limit)).map(toDeadLetterResponse) };
  }

  /** Enqueues pending dead letters again (one, or all of the connector); the replay is an admin event. */
  async replay(actor: Actor, p: Principal, id: string, deadLetterId: string | null): Promise<{ replayed: number; events: number }> {
    writer(actor);
    if (deadLetterId !== null && !UUID.test(deadLetterId)) throw new IdentityError('not_found', 'dead_letter_not_found', 'No such pending dead letter', { param: 'dead_letter_id' });
    const taken = await this.ds.transaction(async (tx) => {
      const c = await this.find(tx, actor.orgId, id, true);
      const dls: DeadLetter[] = await this.store.takeForReplay(tx, actor.orgId, c.id, deadLetterId);
      if (deadLetterId !== null && !dls.length) throw new IdentityError('not_found', 'dead_letter_not_found', 'No such pending dead letter', { param: 'dead_letter_id' });
      // Enqueued before the commit: a failed commit leaves them pending and delivered (at least once).
      await this.delivery.replay(dls.map((d) => ({ id: d.id, c: c.id, o: c.orgId, from: d.fromSeq, to: d.toSeq })));
      await this.record(tx, actor, p, 'connector.replay', c, { dead_letters: dls.map((d) => d.id), ranges: dls.map((d) => [d.fromSeq, d.toSeq]) });
      return dls;
    });
    return { replayed: taken.length, events: taken.reduce((n, d) => n + d.events, 0) };
  }

  private response(c: StoredConnector): ConnectorResponse {
    let opened = null;
    try {
      opened = this.store.open(c);
    } catch {
      // the key changed: shown fully masked; its deliveries dead-letter saying so
    }
    return toConnectorResponse(c, opened);
  }

  private async find(db: DataSource | EntityManager, orgId: string, id: string, lock = false): Promise<StoredConnector> {
    const c = await this.store.get(db, orgId, urlId(id), lock);
    if (!c) throw notFound();
    return c;
  }

  private async checkProject(tx: EntityManager, orgId: string, projectId: string | null): Promise<void> {
    if (projectId === null) return;
    const [row] = await tx.query<unknown[]>('SELECT 1 FROM project WHERE org_id = $1 AND project_id = $2', [orgId, projectId]);
    if (!row) throw IdentityError.invalid("'project_id' is not a project of your organisation", 'project_id');
  }

  private record(tx: EntityManager, actor: Actor, p: Principal, action: string, c: StoredConnector, details: Record<string, unknown>): Promise<void> {
    return this.actions.record({ eventType: 'admin', orgId: actor.orgId, projectId: c.projectId, principal: auditPrincipal(p), action, details: { connector_id: c.id, kind: c.kind, ...details } }, tx);
  }
}

/** What an audit event may show of a connector: its fields with every secret masked. */
function visible(f: ConnectorFields) {
  return { name: f.name, kind: f.kind, project_id: f.projectId, event_types: f.eventTypes, enabled: f.enabled, config: maskConfig(f.kind, f.config) };
}

/** 412, in the renderer's shape (status, code, param). */
function preconditionFailed(current: number): Error {
  return new ProjectError(412, 'precondition_failed', `The connector is at revision ${current} (ETag "${current}"); If-Match did not match. Read it again and retry`, 'If-Match');
}

function duplicateName(err: unknown): never {
  if ((err as { code?: string })?.code === '23505') throw IdentityError.conflict('An audit connector with this name already exists in your organisation', 'connector_exists', 'name');
  throw err;
}
