import type { OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { FeedTrustedCache, IdentityChangeFeed, type ProjectChange } from '@gw/identity';
import type { ProjectRecord } from './project.types';
import { isProjectId } from './project.types';
import type { ProjectRepository } from './project.repository';

export interface ProjectStoreOptions {
  /** For the LISTEN connection when the store owns its feed. */
  databaseUrl: string;
  /** Longest time a project is trusted without a database read (0: always read). */
  ttlMs: number;
  maxEntries?: number;
}

const key = (orgId: string, projectId: string) => `${orgId}\u0000${projectId}`;

/**
 * The inference side's read of projects, for resolution on every `/policy/*` request. Cached under the identity
 * caches' trust model ({@link FeedTrustedCache}): served only while the process's LISTEN connection is up, for
 * `ttlMs` at most, bounded, and evicted by the `project:<org>:<id>` NOTIFY every change commits with, so a disable
 * or a new policy link applies from the next request on every replica. Absent projects are cached too (as null):
 * a client naming a missing project must not cost a query per request; a create NOTIFYs like any change.
 */
export class ProjectStore implements OnModuleInit, OnModuleDestroy {
  private readonly cache: FeedTrustedCache<ProjectRecord | null>;
  private readonly feed: IdentityChangeFeed;
  private readonly ownsFeed: boolean;

  constructor(
    private readonly reads: Pick<ProjectRepository, 'find'>,
    private readonly opts: ProjectStoreOptions,
    feed?: IdentityChangeFeed,
  ) {
    this.ownsFeed = !feed;
    this.feed = feed ?? new IdentityChangeFeed(opts.databaseUrl);
    this.cache = new FeedTrustedCache(this.feed, opts.maxEntries ?? 10_000);
    this.feed.subscribeProjects((change) => this.apply(change));
  }

  async onModuleInit(): Promise<void> {
    if (this.ownsFeed && this.opts.ttlMs > 0) await this.feed.onModuleInit();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.ownsFeed) await this.feed.onModuleDestroy();
  }

  async get(orgId: string, projectId: string): Promise<ProjectRecord | null> {
    if (!isProjectId(projectId)) return null;
    const k = key(orgId, projectId);
    if (this.opts.ttlMs > 0) {
      const hit = this.cache.get(k);
      if (hit !== undefined) return hit;
    }
    const ticket = this.cache.ticket();
    const project = await this.reads.find(orgId, projectId);
    if (this.opts.ttlMs > 0) this.cache.set(k, project, Date.now() + this.opts.ttlMs, ticket);
    return project;
  }

  private apply(change: ProjectChange): void {
    if (change.kind === 'all') return this.cache.evict();
    const k = key(change.orgId, change.projectId);
    this.cache.evict((_, key2) => key2 === k);
  }
}
