import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { ResponseStore, type StoredResponse } from '@gw/inference';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';

const stored = (orgId: string, id = `resp_${randomUUID()}`): StoredResponse => ({
  id,
  orgId,
  model: 'm',
  history: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }, { role: 'assistant', content: [{ type: 'text', text: 'hello' }] }],
  response: { id, object: 'response', status: 'completed' },
});

describe('ResponseStore (Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;

  before(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url, 3).initialize();
  });

  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('loads what it saved, for the same organisation only', async () => {
    const store = new ResponseStore(ds, 60_000);
    const org = randomUUID();
    const r = stored(org);
    await store.save(r);
    assert.deepEqual(await store.load(r.id, org), r);
    assert.equal(await store.load(r.id, randomUUID()), null, 'another organisation cannot read it');
    assert.equal(await store.load(r.id, null), null, 'a caller without an organisation cannot read it');
    assert.equal(await store.load('resp_unknown', org), null);
  });

  it('deletes once, scoped to the organisation', async () => {
    const store = new ResponseStore(ds, 60_000);
    const org = randomUUID();
    const r = stored(org);
    await store.save(r);
    assert.equal(await store.delete(r.id, randomUUID()), false);
    assert.equal(await store.delete(r.id, org), true);
    assert.equal(await store.delete(r.id, org), false);
    assert.equal(await store.load(r.id, org), null);
  });

  it('ignores expired rows at once and sweeps them', async () => {
    const short = new ResponseStore(ds, 50);
    const org = randomUUID();
    const gone = stored(org);
    await short.save(gone);
    const kept = stored(org);
    await new ResponseStore(ds, 60_000).save(kept);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(await short.load(gone.id, org), null);
    assert.equal(await short.sweep(), 1);
    const left = await ds.query<Array<{ id: string }>>('SELECT id FROM stored_response WHERE org_id = $1', [org]);
    assert.deepEqual(left.map((x) => x.id), [kept.id]);
  });
});
