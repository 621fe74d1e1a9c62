import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { openStore } from '../store/open.ts';
import type { AuditEntry } from '../store/ports/admin.ts';
import type { Store } from '../store/ports/store.ts';
import { type AuditLog, createAuditLog, instant } from './audit.ts';

const badRequest = (detail: string) => (error: unknown) => {
  assert.ok(error instanceof ScimError, String(error));
  assert.deepEqual([error.status, error.detail], [400, detail]);
  return true;
};

const entry = (time: string, tenantName: string, resourceId: string): AuditEntry => ({
  time,
  tenantId: `id-${tenantName}`,
  tenantName,
  tokenId: 'tok_1',
  operation: 'create',
  resourceType: 'User',
  resourceId,
  status: 201,
  requestId: `req-${resourceId}`,
});

describe('the audit log of writes (docs/administration.md, "Audit log")', () => {
  let store: Store;
  let audit: AuditLog;
  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    audit = createAuditLog(store);
  });
  after(() => store.close());

  it('since and until are ISO 8601 dates or times, normalised to UTC; anything else is 400', () => {
    assert.equal(instant('since', undefined), undefined);
    assert.equal(instant('since', '2024-05-01'), '2024-05-01T00:00:00.000Z');
    assert.equal(instant('since', '2024-05-01T02:00:00+02:00'), '2024-05-01T00:00:00.000Z');
    assert.equal(instant('until', '2024-05-01T10:20:30.5Z'), '2024-05-01T10:20:30.500Z');
    for (const bad of ['yesterday', '2024-13-01', '2024-05-01 10:00', '1714521600', '2024-05-01T10:00:00Zjunk', 'x2024-05-01']) {
      assert.throws(
        () => instant('until', bad),
        badRequest(`until must be an ISO 8601 date or time such as 2024-05-01T00:00:00Z, got "${bad}"`),
      );
    }
  });

  it('entries recorded in one turn are written together, and a page read in this process shows them all, newest first', async () => {
    for (let i = 1; i <= 5; i++) audit.record(entry(`2026-03-01T10:00:0${i}.000Z`, i % 2 ? 'acme' : 'other', `u${i}`));
    const page = await audit.page({});
    assert.deepEqual(
      page.entries.map((e) => e.resourceId),
      ['u5', 'u4', 'u3', 'u2', 'u1'],
    );
    assert.deepEqual({ ...page.entries[0], seq: undefined }, { ...entry('2026-03-01T10:00:05.000Z', 'acme', 'u5'), seq: undefined });
    assert.equal(page.nextCursor, undefined);
  });

  it('pages of count entries with a cursor to the next; filters by tenant and time', async () => {
    const first = await audit.page({ count: 2 });
    assert.deepEqual(
      first.entries.map((e) => e.resourceId),
      ['u5', 'u4'],
    );
    assert.equal(first.nextCursor, String(first.entries[1]!.seq));
    const second = await audit.page({ count: 2, cursor: first.nextCursor });
    assert.deepEqual(
      second.entries.map((e) => e.resourceId),
      ['u3', 'u2'],
    );
    const last = await audit.page({ count: 2, cursor: second.nextCursor });
    assert.deepEqual([last.entries.map((e) => e.resourceId), last.nextCursor], [['u1'], undefined]);
    const exact = await audit.page({ count: 5 });
    assert.equal(exact.nextCursor, undefined, 'a page that holds the rest is the last');
    assert.deepEqual(
      (await audit.page({ tenant: 'other' })).entries.map((e) => e.resourceId),
      ['u4', 'u2'],
    );
    assert.deepEqual(
      (await audit.page({ since: '2026-03-01T10:00:02Z', until: '2026-03-01T10:00:04Z' })).entries.map((e) => e.resourceId),
      ['u3', 'u2'],
    );
  });

  it('count is 1 to 1000 (default 100); a cursor is one this server returned', async () => {
    for (const count of [0, 1001, 2.5, -1]) await assert.rejects(audit.page({ count }), badRequest('count must be 1 to 1000'));
    for (const cursor of ['0', 'abc', '-3', '12345678901234567', '01']) {
      await assert.rejects(audit.page({ cursor }), badRequest('cursor is not one this server returned'));
    }
    await assert.rejects(
      audit.page({ since: 'soon' }),
      badRequest('since must be an ISO 8601 date or time such as 2024-05-01T00:00:00Z, got "soon"'),
    );
    assert.equal((await audit.page({ count: 1000 })).entries.length, 5);
    assert.equal((await audit.page({ count: 1 })).entries.length, 1);
    for (let i = 0; i < 120; i++) audit.record(entry('2026-03-02T00:00:00.000Z', 'bulk', `b${i}`));
    const page = await audit.page({});
    assert.equal(page.entries.length, 100);
    assert.ok(page.nextCursor);
  });

  it('a burst larger than one statement is written whole; flush waits for it', async () => {
    const burst = createAuditLog(store);
    for (let i = 0; i < 1200; i++) burst.record(entry('2026-03-03T00:00:00.000Z', 'burst', `x${i}`));
    await burst.flush();
    const seen = await audit.page({ tenant: 'burst', count: 1000 });
    const rest = await audit.page({ tenant: 'burst', count: 1000, cursor: seen.nextCursor });
    assert.equal(seen.entries.length + rest.entries.length, 1200);
    assert.equal(rest.nextCursor, undefined);
  });

  it('a batch the database refuses goes to onError with its entries, and later batches are still written', async () => {
    const refused: [unknown, readonly AuditEntry[]][] = [];
    let fail = true;
    const flaky = {
      ...store,
      appendAudit: async (entries: readonly AuditEntry[]) => {
        if (fail) {
          fail = false;
          throw new Error('disk full');
        }
        return store.appendAudit(entries);
      },
      listAudit: store.listAudit.bind(store),
    } as unknown as Store;
    const log = createAuditLog(flaky, { onError: (error, entries) => refused.push([error, entries]) });
    log.record(entry('2026-03-04T00:00:00.000Z', 'flaky', 'lost'));
    await log.flush();
    assert.equal(refused.length, 1);
    assert.equal((refused[0]![0] as Error).message, 'disk full');
    assert.deepEqual(
      refused[0]![1].map((e) => e.resourceId),
      ['lost'],
    );
    log.record(entry('2026-03-04T00:00:01.000Z', 'flaky', 'kept'));
    assert.deepEqual(
      (await log.page({ tenant: 'flaky' })).entries.map((e) => e.resourceId),
      ['kept'],
    );
  });
});
