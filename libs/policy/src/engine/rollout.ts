import { hash } from 'node:crypto';
import type { CompiledPolicy } from './compile';
import type { AutoRollbackSpec } from './model';
import type { Decision, RolloutMode } from './types';

/**
 * Rollout (spec §4.4): which requests a policy acts on, and the arithmetic of auto-rollback. Pure: the caller
 * passes the time and the stored rollout state; the counters and the database live in `../rollout`.
 */

/** The time source of every rollout decision (tests inject one they can advance). */
export interface Clock {
  now(): number;
}
export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/** What `evaluate` needs of a policy's rollout state: whether a rollback holds it in shadow. */
export interface RolloutOverrideState {
  override: 'rollback' | null;
}

/** A stored policy's rollout state (`policy_rollout`), times in epoch ms. No row reads as {@link noRollout}. */
export interface PolicyRolloutState extends RolloutOverrideState {
  orgId: string;
  policyId: string;
  /** Bumped at every transition; keys the decision counters, so a restored policy counts afresh. */
  epoch: number;
  since: number | null;
  /** When the rollback ends by itself (null: until resumed). */
  until: number | null;
  reason: string | null;
  triggeredBy: string | null;
}

export function noRollout(orgId: string, policyId: string): PolicyRolloutState {
  return { orgId, policyId, override: null, epoch: 0, since: null, until: null, reason: null, triggeredBy: null };
}

/**
 * The state as it applies at `nowMs`: a rollback whose `until` has passed is over at once, before the expire
 * pass writes that down (and bumps the epoch), so no replica keeps a policy in shadow past its cooldown.
 */
export function effectiveRollout<S extends PolicyRolloutState>(state: S, nowMs: number): S {
  return state.override !== null && state.until !== null && state.until <= nowMs ? { ...state, override: null } : state;
}

export interface RolloutSubject {
  /** The quota subject (`X-Policy-User`, else the caller's user or key id): what canary stickiness hashes. */
  quotaSubject: string | null;
  /** The caller's `policy_target` label (Gen-1 `targets`). */
  target: string | null;
}

/**
 * Rollout mode and whether this request is enforced. A rollback (auto or manual) holds the whole policy in
 * shadow. Canary selection is sticky: a hash of the policy version and the subject, so one subject gets one
 * treatment on every replica for a given version. Gen-1 `targets` limit the shadow/canary arm to those
 * `policy_target` labels; other labels are enforced. Gen-1 canary `sample_percent` is the canary percentage;
 * shadow `sample_percent` (the share of traffic shadow-evaluated) changes nothing here: a shadow policy acts on
 * no one, and every request is evaluated and audited anyway (the `policy` object needs the decision).
 */
export function rollout(policy: CompiledPolicy, subject: RolloutSubject, state?: RolloutOverrideState): { mode: RolloutMode; enforced: boolean } {
  if (state?.override === 'rollback') return { mode: 'rollback', enforced: false };
  const r = policy.model.rollout;
  if (r.mode === 'enforced') return { mode: 'enforced', enforced: true };
  if (r.targets.length > 0 && !(subject.target && r.targets.includes(subject.target))) return { mode: 'enforced', enforced: true };
  if (r.mode === 'shadow') return { mode: 'shadow', enforced: false };
  return { mode: 'canary', enforced: canaryBucket(policy.key, subject.quotaSubject ?? '') < r.percentage * 100 };
}

/** 0..9999, uniform, stable for (policy version, subject). One native call: it runs per call of a canary policy. */
export function canaryBucket(policyKey: string, subject: string): number {
  return hash('sha256', `${policyKey}\u0000${subject}`, 'buffer').readUInt32BE(0) % 10_000;
}

/** Counts of one window: requests, and those whose decision is one of the policy's `rollback_decisions`. */
export interface WindowCounts {
  total: number;
  hits: number;
}

/** A bucket holds one minute, or more for windows over an hour: a window spans at most 60 buckets. */
export function bucketMinutes(windowMinutes: number): number {
  return Math.max(1, Math.ceil(windowMinutes / 60));
}

/** The start minute (since the epoch) of the bucket `nowMs` falls in. */
export function bucketOf(nowMs: number, windowMinutes: number): number {
  const width = bucketMinutes(windowMinutes);
  return Math.floor(Math.floor(nowMs / 60_000) / width) * width;
}

/** The buckets of the window that ends with bucket `last`, oldest first. */
export function windowBuckets(last: number, windowMinutes: number): number[] {
  const width = bucketMinutes(windowMinutes);
  const n = Math.ceil(windowMinutes / width);
  return Array.from({ length: n }, (_, i) => last - (n - 1 - i) * width);
}

export function countsAsHit(spec: AutoRollbackSpec, decision: Decision): boolean {
  return spec.decisions.includes(decision);
}

export interface WindowJudgement extends WindowCounts {
  trip: boolean;
  /** hits / total (0 for an empty window). */
  rate: number;
}

/** Auto-rollback fires once the window has `min_requests` and the share of hits exceeds the threshold (a fraction). */
export function judgeWindow(spec: AutoRollbackSpec, counts: WindowCounts): WindowJudgement {
  const rate = counts.total > 0 ? counts.hits / counts.total : 0;
  return { ...counts, rate, trip: spec.enabled && counts.total >= spec.minRequests && rate > spec.threshold };
}
