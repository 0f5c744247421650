import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { FeedTrustedCache, IdentityChangeFeed, type PolicyChange } from '@gw/identity';
import { compilePolicy, effectiveRollout, noRollout, SYSTEM_CLOCK, type Clock, type CompiledPolicy, type PolicyRolloutState } from '../engine';
import { isPolicyId } from './policy-id';
import { PolicyStoreError } from './policy-store.errors';
import type { PolicyRepository } from './policy.repository';

export interface PolicyStoreOptions {
  /** For the LISTEN connection when the store owns its feed. */
  databaseUrl: string;
  /** Longest time a latest-version lookup is trusted without a database read (0: always read). */
  ttlMs: number;
  /** Bound of the latest-version cache and of the compiled-version memo (each). */
  maxEntries?: number;
  /** Where rollout states are read (`RolloutStateRepository`); without it every policy reads as not rolled back. */
  rollouts?: RolloutReads;
  /** Decides whether a rollback's `until` has passed (default: the system clock). */
  clock?: Clock;
}

/** A policy's stored rollout state; null when it never left its configured rollout. */
export interface RolloutReads {
  findState(orgId: string, policyId: string): Promise<PolicyRolloutState | null>;
}

/** The latest version with the rollout state that applies to it now. */
export interface ActivePolicy {
  policy: CompiledPolicy;
  rollout: PolicyRolloutState;
}

/** What the store reads; {@link PolicyRepository} in the apps, a fake in unit tests. */
export type PolicyReads = Pick<PolicyRepository, 'latestVersion' | 'findVersion'>;

const DEFAULT_MAX_ENTRIES = 1_000;
const base = (orgId: string, policyId: string) => `${orgId}\u0000${policyId}`;

/**
 * The inference side's read path of stored policies: `policy_id` → the latest version, compiled.
 *
 * Two layers. Which version is latest is cached under the identity caches' trust model ({@link FeedTrustedCache}):
 * served only while the process's LISTEN connection is up, for `ttlMs` at most, bounded, and evicted by the
 * `policy:<org>:<id>` NOTIFY every save and delete commits with, so a change applies from the next request on
 * every replica. Compiled versions are memoised apart, by (org, id, version): versions are immutable and their
 * numbers never reused, so that memo needs no invalidation, and a policy is compiled once per version even while
 * the feed is down (then each request costs one primary-key read of the version number).
 */
export class PolicyStore implements OnModuleInit, OnModuleDestroy {
  private readonly latest: FeedTrustedCache<ActivePolicy>;
  private readonly compiled = new Map<string, CompiledPolicy>();
  private readonly compiling = new Map<string, Promise<CompiledPolicy>>();
  private readonly feed: IdentityChangeFeed;
  private readonly ownsFeed: boolean;
  private readonly maxEntries: number;

  constructor(
    private readonly reads: PolicyReads,
    private readonly opts: PolicyStoreOptions,
    feed?: IdentityChangeFeed,
  ) {
    this.ownsFeed = !feed;
    this.feed = feed ?? new IdentityChangeFeed(opts.databaseUrl);
    this.maxEntries = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.latest = new FeedTrustedCache(this.feed, this.maxEntries);
    this.feed.subscribePolicies((change) => this.apply(change));
  }

  async onModuleInit(): Promise<void> {
    if (this.ownsFeed && this.opts.ttlMs > 0) await this.feed.onModuleInit();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.ownsFeed) await this.feed.onModuleDestroy();
  }

  /** The latest version of a live policy of `orgId`; a {@link PolicyStoreError} `policy_not_found` otherwise. */
  async getLatest(orgId: string, policyId: string): Promise<CompiledPolicy> {
    return (await this.getLatestWithRollout(orgId, policyId)).policy;
  }

  /**
   * {@link getLatest} with the policy's rollout state, cached together and evicted by the same NOTIFY (rollout
   * transitions send it too). A rollback whose `until` has passed reads as over at once (see `effectiveRollout`).
   */
  async getLatestWithRollout(orgId: string, policyId: string): Promise<ActivePolicy> {
    if (!isPolicyId(policyId)) throw PolicyStoreError.notFound(policyId);
    const now = (this.opts.clock ?? SYSTEM_CLOCK).now();
    const hit = this.latestCached(orgId, policyId);
    if (hit) return { policy: hit.policy, rollout: effectiveRollout(hit.rollout, now) };
    const ticket = this.latest.ticket();
    const [version, state] = await Promise.all([this.reads.latestVersion(orgId, policyId), this.opts.rollouts?.findState(orgId, policyId) ?? null]);
    if (version === null) throw PolicyStoreError.notFound(policyId);
    const active = { policy: await this.compiledVersion(orgId, policyId, version), rollout: state ?? noRollout(orgId, policyId) };
    if (this.opts.ttlMs > 0) this.latest.set(base(orgId, policyId), active, Date.now() + this.opts.ttlMs, ticket);
    return { ...active, rollout: effectiveRollout(active.rollout, now) };
  }

  /** Version `n` of a live policy (a deleted policy's versions are audit records, not enforceable). */
  async getVersion(orgId: string, policyId: string, version: number): Promise<CompiledPolicy> {
    if (!isPolicyId(policyId)) throw PolicyStoreError.notFound(policyId);
    if (!Number.isSafeInteger(version) || version < 1) throw PolicyStoreError.versionNotFound(policyId, version);
    const latest = this.latestCached(orgId, policyId)?.policy.version ?? (await this.reads.latestVersion(orgId, policyId));
    if (latest === null) throw PolicyStoreError.notFound(policyId);
    if (version > latest) throw PolicyStoreError.versionNotFound(policyId, version);
    return this.compiledVersion(orgId, policyId, version);
  }

  /** Compiled versions held (tests and metrics). */
  get compiledCount(): number {
    return this.compiled.size;
  }

  private latestCached(orgId: string, policyId: string): ActivePolicy | undefined {
    return this.opts.ttlMs > 0 ? this.latest.get(base(orgId, policyId)) : undefined;
  }

  private compiledVersion(orgId: string, policyId: string, version: number): Promise<CompiledPolicy> {
    const key = `${base(orgId, policyId)}@${version}`;
    const done = this.compiled.get(key);
    if (done) {
      this.compiled.delete(key); // LRU: most recent last
      this.compiled.set(key, done);
      return Promise.resolve(done);
    }
    // One load per version however many requests ask for it at once.
    let pending = this.compiling.get(key);
    if (!pending) {
      pending = this.load(orgId, policyId, version).finally(() => this.compiling.delete(key));
      this.compiling.set(key, pending);
    }
    return pending.then((compiled) => {
      this.remember(key, compiled);
      return compiled;
    });
  }

  private async load(orgId: string, policyId: string, version: number): Promise<CompiledPolicy> {
    const row = await this.reads.findVersion(orgId, policyId, version);
    // A row that vanished between the two reads went with its organisation.
    if (!row) throw PolicyStoreError.notFound(policyId);
    // Validated when saved; should the engine have grown stricter since, this throws PolicyValidationError (a 5xx).
    return compilePolicy(row.document, { policyId, version, sizeBytes: row.sizeBytes });
  }

  private remember(key: string, compiled: CompiledPolicy): void {
    if (this.compiled.has(key)) return;
    if (this.compiled.size >= this.maxEntries) this.compiled.delete(this.compiled.keys().next().value!);
    this.compiled.set(key, compiled);
  }

  private apply(change: PolicyChange): void {
    if (change.kind === 'all') return this.latest.evict();
    const key = base(change.orgId, change.policyId);
    this.latest.evict((_, k) => k === key);
  }
}
