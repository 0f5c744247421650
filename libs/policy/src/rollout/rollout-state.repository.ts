import { Injectable } from '@nestjs/common';
import { API_KEY_CHANNEL, policyChangePayload } from '@gw/identity';
import { DataSource, type EntityManager } from 'typeorm';
import type { PolicyRolloutState } from '../engine';
import { appendHistory, type EditType, type HistoryActor } from '../store/policy-history';
import type { RolloutReads } from '../store/policy-store';
import { ENSURE, EXPIRE, FIND, LATEST_VERSION, LOCK, SET, TRIP } from './rollout-state.sql';

type Raw = Record<string, unknown>;
const ms = (v: unknown): number | null => (v === null || v === undefined ? null : new Date(v as Date).getTime());
const date = (v: number | null): Date | null => (v === null ? null : new Date(v));
/** TypeORM answers UPDATE (a `WITH … UPDATE` too) with `[rows, rowCount]`, other statements with the rows. */
const rowsOf = (result: unknown): Raw[] => (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as Raw[];

function toState(r: Raw): PolicyRolloutState {
  return {
    orgId: r.org_id as string,
    policyId: r.policy_id as string,
    override: r.override === 'rollback' ? 'rollback' : null,
    epoch: Number(r.epoch),
    since: ms(r.since),
    until: ms(r.until),
    reason: (r.reason as string | null) ?? null,
    triggeredBy: (r.triggered_by as string | null) ?? null,
  };
}

/** A state as history records it (`before`/`after`). */
export function rolloutSnapshot(s: Pick<PolicyRolloutState, 'override' | 'epoch' | 'since' | 'until' | 'reason' | 'triggeredBy'>): Record<string, unknown> {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return { override: s.override, epoch: s.epoch, since: iso(s.since), until: iso(s.until), reason: s.reason, triggered_by: s.triggeredBy };
}

/** `triggered_by` of a person's or key's transition. */
const actorLabel = (a: HistoryActor): string => (a.kind === 'system' ? (a.id ?? 'system') : `${a.kind}:${a.id ?? 'unknown'}`);

export interface AutoTrip {
  orgId: string;
  policyId: string;
  version: number;
  /** The epoch the counters counted in. */
  epoch: number;
  nowMs: number;
  cooldownMinutes: number;
  /** Window statistics for the history entry (`total`, `hits`, `rate`, `threshold`, `window_minutes`…). */
  details: Record<string, unknown>;
}

export interface ManualTransition {
  orgId: string;
  policyId: string;
  actor: HistoryActor;
  nowMs: number;
}

/**
 * Owns the SQL of `policy_rollout`. Each transition is one transaction: the state change, its revision history
 * entry, and the `policy:<org>:<id>` NOTIFY that makes every replica's policy cache read the new state (Postgres
 * delivers it at commit, and only if it commits). Times come from the caller's clock, never from `now()`.
 */
@Injectable()
export class RolloutStateRepository implements RolloutReads {
  constructor(private readonly ds: DataSource) {}

  async findState(orgId: string, policyId: string): Promise<PolicyRolloutState | null> {
    const [r] = await this.ds.query<Raw[]>(FIND, [orgId, policyId]);
    return r ? toState(r) : null;
  }

  /** Auto-rollback; null when another replica (or a manual rollback, or a newer epoch) got there first. */
  async tripAuto(t: AutoTrip): Promise<PolicyRolloutState | null> {
    return this.ds.transaction(async (m) => {
      const [r] = await m.query<Raw[]>(TRIP, [t.orgId, t.policyId, t.epoch, new Date(t.nowMs), new Date(t.nowMs + t.cooldownMinutes * 60_000)]);
      if (!r) return null;
      const after = toState(r);
      const before = { override: null, epoch: t.epoch, since: null, until: null, reason: null, triggeredBy: null };
      await record(m, after, 'rollback_auto', { kind: 'system', id: 'auto-rollback' }, t.version, before, { ...t.details, version: t.version });
      return after;
    });
  }

  /**
   * A manual rollback until `untilMs` (null: until resumed); null when one is already in force. A rollback whose
   * cooldown is over but which the expire pass has not ended yet is ended here first (its `rollback_ended` entry).
   */
  async rollback(t: ManualTransition & { reason: string | null; untilMs: number | null }): Promise<PolicyRolloutState | null> {
    return this.ds.transaction(async (m) => {
      await m.query(ENSURE, [t.orgId, t.policyId]);
      const version = await latestVersion(m, t.orgId, t.policyId);
      let [cur] = (await m.query<Raw[]>(LOCK, [t.orgId, t.policyId])).map(toState);
      if (cur.override !== null) {
        if (cur.until === null || cur.until > t.nowMs) return null;
        cur = await set(m, cur, { ...cur, override: null, epoch: cur.epoch + 1, reason: 'cooldown_elapsed', since: cur.until, until: null, triggeredBy: 'rollback-cooldown' }, t.nowMs);
        await record(m, cur, 'rollback_ended', { kind: 'system', id: 'rollback-cooldown' }, version, null, {});
      }
      const next = { ...cur, override: 'rollback' as const, epoch: cur.epoch + 1, reason: t.reason ?? 'manual', since: t.nowMs, until: t.untilMs, triggeredBy: actorLabel(t.actor) };
      const after = await set(m, cur, next, t.nowMs);
      await record(m, after, 'rollback_manual', t.actor, version, cur, { reason: t.reason, until: after.until === null ? null : new Date(after.until).toISOString() });
      return after;
    });
  }

  /** Ends a rollback in force (manual or auto) now; null when there is none. */
  async resume(t: ManualTransition): Promise<PolicyRolloutState | null> {
    return this.ds.transaction(async (m) => {
      const [raw] = await m.query<Raw[]>(LOCK, [t.orgId, t.policyId]);
      const cur = raw ? toState(raw) : null;
      if (!cur || cur.override === null || (cur.until !== null && cur.until <= t.nowMs)) return null;
      const version = await latestVersion(m, t.orgId, t.policyId);
      const after = await set(m, cur, { ...cur, override: null, epoch: cur.epoch + 1, reason: 'resumed', since: t.nowMs, until: null, triggeredBy: actorLabel(t.actor) }, t.nowMs);
      await record(m, after, 'rollback_resume', t.actor, version, cur, { rollback_reason: cur.reason, rollback_triggered_by: cur.triggeredBy });
      return after;
    });
  }

  /**
   * Ends every rollback whose cooldown is over at `nowMs` (at most `limit` per call), each with one
   * `rollback_ended` entry (actor `rollback-cooldown`). Safe to run on every replica at once.
   */
  async expireDue(nowMs: number, limit = 100): Promise<PolicyRolloutState[]> {
    return this.ds.transaction(async (m) => {
      const rows = rowsOf(await m.query<unknown>(EXPIRE, [new Date(nowMs), limit]));
      const ended: PolicyRolloutState[] = [];
      for (const r of rows) {
        const after = toState(r);
        const before = { override: 'rollback' as const, epoch: Number(r.old_epoch), since: ms(r.old_since), until: ms(r.old_until), reason: r.old_reason as string | null, triggeredBy: r.old_triggered_by as string | null };
        await record(m, after, 'rollback_ended', { kind: 'system', id: 'rollback-cooldown' }, r.version === null ? null : Number(r.version), before, {});
        ended.push(after);
      }
      return ended;
    });
  }
}

async function latestVersion(m: EntityManager, orgId: string, policyId: string): Promise<number | null> {
  const [r] = await m.query<Raw[]>(LATEST_VERSION, [orgId, policyId]);
  return r ? Number(r.latest_version) : null;
}

async function set(m: EntityManager, cur: PolicyRolloutState, next: PolicyRolloutState, nowMs: number): Promise<PolicyRolloutState> {
  const params = [cur.orgId, cur.policyId, next.override, next.epoch, next.reason, date(next.since), date(next.until), next.triggeredBy, new Date(nowMs)];
  return toState(rowsOf(await m.query<unknown>(SET, params))[0]);
}

/** The history entry and the NOTIFY of one transition, in its transaction. */
async function record(
  m: EntityManager,
  after: PolicyRolloutState,
  editType: Extract<EditType, 'rollback_auto' | 'rollback_manual' | 'rollback_ended' | 'rollback_resume'>,
  actor: HistoryActor,
  version: number | null,
  before: Parameters<typeof rolloutSnapshot>[0] | null,
  details: Record<string, unknown>,
): Promise<void> {
  await appendHistory(m, {
    orgId: after.orgId,
    editType,
    policyId: after.policyId,
    policyVersion: version,
    actor,
    before: before ? rolloutSnapshot(before) : null,
    after: rolloutSnapshot(after),
    details,
  });
  await m.query(`SELECT pg_notify('${API_KEY_CHANNEL}', $1)`, [policyChangePayload(after.orgId, after.policyId)]);
}
