import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@gw/database';
import { CreditLimitError, LedgerRepository, MAX_CREDITS } from '@gw/metering';
import { createTestDatabase, type TestDatabase } from '../../libs/database/src/testing';

/** Issue 8, reproducer 12: grants are bounded (10^12 per grant and per balance), atomically. */
describe('credit grants are bounded', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let ledger: LedgerRepository;

  before(async () => {
    db = await createTestDatabase({ name: `gw_identity_grants_test_${Date.now().toString(36)}` });
    ds = await createDataSource(db.url, 6).initialize();
    ledger = new LedgerRepository(ds);
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const newOrg = async () => (await ds.query<Array<{ id: string }>>(`INSERT INTO organization (name) VALUES ('o') RETURNING id`))[0].id;

  it('refuses 2^53-1 and any grant that would take the balance past 10^12', async () => {
    const org = await newOrg();
    await assert.rejects(ledger.grant(org, 9007199254740991, null), CreditLimitError);
    assert.equal(await ledger.grant(org, MAX_CREDITS - 5, null), MAX_CREDITS - 5);
    await assert.rejects(ledger.grant(org, 6, null), (e: CreditLimitError) => e instanceof CreditLimitError && e.param === 'credits');
    assert.equal(await ledger.grant(org, 5, null), MAX_CREDITS);
    assert.equal((await ledger.balance(org)).balance, MAX_CREDITS);
    assert.equal(await ledger.ledgerSum(org), MAX_CREDITS);
  });

  it('concurrent grants cannot pass the cap together; a replayed entry is a no-op', async () => {
    const org = await newOrg();
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => ledger.grant(org, 0.3 * MAX_CREDITS, null)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3, JSON.stringify(results.map((r) => r.status)));
    assert.equal((await ledger.balance(org)).balance, 0.9 * MAX_CREDITS);
    assert.equal(await ledger.ledgerSum(org), 0.9 * MAX_CREDITS);
    const org2 = await newOrg();
    const entry = `grant_${randomUUID()}`;
    assert.equal(await ledger.grant(org2, 10, null, entry), 10);
    assert.equal(await ledger.grant(org2, 10, null, entry), 10, 'same entry: balance unchanged');
  });
});
