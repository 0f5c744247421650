import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseProjectChange, projectChangePayload, type IdentityChangeFeed, type ProjectChange, type ProjectChangeHandler } from '@gw/identity';
import { ProjectStore } from './project-store';
import type { ProjectRecord } from './project.types';

/** A feed whose connection state and `project:` notifications the test drives. */
function fakeFeed() {
  const handlers = new Set<ProjectChangeHandler>();
  const feed = {
    listening: true,
    subscribeProjects: (h: ProjectChangeHandler) => (handlers.add(h), () => handlers.delete(h)),
    emit: (c: ProjectChange) => handlers.forEach((h) => h(c)),
    lose() {
      feed.listening = false;
      feed.emit({ kind: 'all' });
    },
  };
  return feed;
}

const record = (orgId: string, projectId: string, status: 'active' | 'disabled', revision: number): ProjectRecord => ({
  orgId, projectId, name: projectId, description: null, status, policyId: null, budget: null, userQuota: null, webTools: null,
  revision, createdAt: new Date(0), updatedAt: new Date(0), createdBy: null,
});

/** An in-memory `project` table (org/id → row) counting reads. */
function setup(ttlMs = 60_000) {
  const rows = new Map<string, ProjectRecord>();
  const counts = { find: 0 };
  const reads = {
    async find(orgId: string, projectId: string) {
      counts.find++;
      return rows.get(`${orgId}/${projectId}`) ?? null;
    },
  };
  const feed = fakeFeed();
  const store = new ProjectStore(reads, { databaseUrl: 'unused', ttlMs }, feed as unknown as IdentityChangeFeed);
  const put = (r: ProjectRecord) => rows.set(`${r.orgId}/${r.projectId}`, r);
  return { store, feed, counts, put };
}

describe(ProjectStore.name, () => {
  it('serves a project from memory until its project:<org>:<id> change evicts it (a disable applies at the next read)', async () => {
    const { store, feed, counts, put } = setup();
    put(record('o1', 'proj_a', 'active', 1));
    assert.equal((await store.get('o1', 'proj_a'))?.status, 'active');
    assert.equal((await store.get('o1', 'proj_a'))?.revision, 1);
    assert.equal(counts.find, 1, 'the second read is cached');
    put(record('o1', 'proj_a', 'disabled', 2));
    feed.emit({ kind: 'project', orgId: 'o2', projectId: 'proj_a' }); // the same id in another organisation
    assert.equal((await store.get('o1', 'proj_a'))?.status, 'active');
    feed.emit({ kind: 'project', orgId: 'o1', projectId: 'proj_a' });
    assert.deepEqual([(await store.get('o1', 'proj_a'))?.status, counts.find], ['disabled', 2]);
  });

  it('is org-scoped; absent projects are cached as null until a create announces them; malformed ids never read', async () => {
    const { store, feed, counts, put } = setup();
    put(record('o1', 'proj_a', 'active', 1));
    assert.equal(await store.get('o2', 'proj_a'), null);
    assert.equal(await store.get('o2', 'proj_a'), null);
    assert.equal(counts.find, 1, 'a missing project costs one read, not one per request');
    put(record('o2', 'proj_a', 'active', 1));
    feed.emit({ kind: 'project', orgId: 'o2', projectId: 'proj_a' });
    assert.equal((await store.get('o2', 'proj_a'))?.orgId, 'o2');
    assert.equal(await store.get('o1', 'Not An Id'), null);
    assert.equal(counts.find, 2);
  });

  it('trusts nothing while the feed is down, and with ttlMs 0 always reads', async () => {
    const down = setup();
    down.put(record('o1', 'proj_a', 'active', 1));
    await down.store.get('o1', 'proj_a');
    down.feed.lose();
    await down.store.get('o1', 'proj_a');
    await down.store.get('o1', 'proj_a');
    assert.equal(down.counts.find, 3);
    const uncached = setup(0);
    uncached.put(record('o1', 'proj_a', 'active', 1));
    await uncached.store.get('o1', 'proj_a');
    await uncached.store.get('o1', 'proj_a');
    assert.equal(uncached.counts.find, 2);
  });

  it('a read that started before an eviction does not re-insert its stale row', async () => {
    const { store, feed, counts, put } = setup();
    put(record('o1', 'proj_a', 'active', 1));
    const racing = store.get('o1', 'proj_a'); // reads revision 1
    put(record('o1', 'proj_a', 'disabled', 2));
    feed.emit({ kind: 'project', orgId: 'o1', projectId: 'proj_a' });
    assert.equal((await racing)?.revision, 1);
    assert.equal((await store.get('o1', 'proj_a'))?.status, 'disabled');
    assert.equal(counts.find, 2);
  });
});

describe('project change payloads', () => {
  it('round-trip project:<org>:<id>; other payloads are not project changes', () => {
    assert.deepEqual(parseProjectChange(projectChangePayload('o1', 'proj_a')), { kind: 'project', orgId: 'o1', projectId: 'proj_a' });
    assert.deepEqual(parseProjectChange('project:'), { kind: 'all' });
    assert.equal(parseProjectChange('policy:o1:p'), null);
    assert.equal(parseProjectChange('4b0c7f7e-0000-4000-8000-000000000000'), null);
    assert.equal(parseProjectChange(undefined), null);
  });
});
