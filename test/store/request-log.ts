import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { RequestLogEntry } from '../../src/store/ports/request-log.ts';
import type { Store } from '../../src/store/ports/store.ts';

const entry = (tenantId: string, overrides: Partial<RequestLogEntry> = {}): RequestLogEntry => ({
  tenantId,
  time: '2024-05-01T10:00:00.000Z',
  method: 'GET',
  path: '/Users',
  query: 'filter=userName%20eq%20%22a%22',
  status: 200,
  scimType: undefined,
  latencyMs: 1.25,
  requestId: randomUUID(),
  tokenId: 'tok_1',
  client: 'entra',
  userAgent: 'Azure AD SCIM Client',
  resourceId: undefined,
  requestBody: undefined,
  requestBytes: 0,
  requestCut: false,
  responseBody: '{"totalResults":0}',
  responseBytes: 18,
  responseCut: false,
  operations: undefined,
  ...overrides,
});

/** Part of storeContract: the request log (migration 14), the same on every store. */
export function requestLogContract(storeOf: () => Store): void {
  describe('request log', () => {
    it('appends in batches and lists newest first, filtered by status class, method, path prefix, resource id and time', async () => {
      const store = storeOf();
      const tenantId = randomUUID();
      const other = randomUUID();
      const rows = [
        entry(tenantId, { time: '2024-05-01T10:00:00.000Z' }),
        entry(tenantId, {
          time: '2024-05-01T10:01:00.000Z',
          method: 'POST',
          status: 409,
          scimType: 'uniqueness',
          requestBody: '{"userName":"a"}',
          requestBytes: 16,
          requestCut: true,
          responseCut: true,
        }),
        entry(tenantId, { time: '2024-05-01T10:02:00.000Z', method: 'PATCH', path: '/Users/u1', resourceId: 'u1', status: 200 }),
        entry(tenantId, { time: '2024-05-01T10:03:00.000Z', path: '/Groups/g%_1', resourceId: 'g%_1', status: 500 }),
        entry(other, { time: '2024-05-01T10:04:00.000Z' }),
      ];
      // More rows than one INSERT takes, so that batching is exercised.
      const filler = Array.from({ length: 120 }, () => entry(randomUUID()));
      await store.appendRequests([...rows, ...filler]);

      const all = await store.listRequests({ tenantId, limit: 10 });
      assert.deepEqual(
        all.map((r) => r.time),
        ['2024-05-01T10:03:00.000Z', '2024-05-01T10:02:00.000Z', '2024-05-01T10:01:00.000Z', '2024-05-01T10:00:00.000Z'],
      );
      assert.ok(all[0]!.seq > all[1]!.seq);
      const conflict = all[2]!;
      assert.deepEqual(conflict, { ...rows[1], seq: conflict.seq });

      const times = async (query: Partial<Parameters<Store['listRequests']>[0]>) =>
        (await store.listRequests({ tenantId, limit: 10, ...query })).map((r) => r.time.slice(11, 16));
      assert.deepEqual(await times({ statusClasses: [4, 5] }), ['10:03', '10:01']);
      assert.deepEqual(await times({ statusClasses: [2] }), ['10:02', '10:00']);
      assert.deepEqual(await times({ method: 'PATCH' }), ['10:02']);
      assert.deepEqual(await times({ pathPrefix: '/Users/' }), ['10:02']);
      assert.deepEqual(await times({ pathPrefix: '/Groups/g%' }), ['10:03'], 'no character of a prefix is a wildcard');
      assert.deepEqual(await times({ pathPrefix: '/Groups/g_' }), []);
      assert.deepEqual(await times({ resourceId: 'u1' }), ['10:02']);
      assert.deepEqual(await times({ sinceMs: Date.parse('2024-05-01T10:01:00Z'), untilMs: Date.parse('2024-05-01T10:03:00Z') }), [
        '10:02',
        '10:01',
      ]);
      assert.deepEqual(await times({ beforeSeq: all[1]!.seq, limit: 1 }), ['10:01']);

      assert.deepEqual(await store.findRequest(tenantId, conflict.seq), conflict);
      assert.equal(await store.findRequest(other, conflict.seq), undefined, 'an entry is found only through its tenant');
    });

    it('finds a /Bulk entry by the resource id of any of its operations, and keeps its operations', async () => {
      const store = storeOf();
      const tenantId = randomUUID();
      const operations = [
        { method: 'POST', path: '/Users', status: 201, resourceId: 'created-1' },
        { method: 'PATCH', path: '/Groups/g-1', status: 200, resourceId: 'g-1' },
        { method: 'PATCH', path: '/Groups/g-1', status: 412, resourceId: 'g-1' },
        { method: 'POST', path: '/Users', status: 409, resourceId: undefined },
      ];
      // Between other entries of the same batch, before and after it.
      await store.appendRequests([
        entry(tenantId, { path: '/Users/g-1', resourceId: 'g-1' }),
        entry(tenantId, { method: 'POST', path: '/Bulk', operations }),
        entry(tenantId, { path: '/Users' }),
        entry(randomUUID(), { method: 'POST', path: '/Bulk', operations }),
      ]);
      const paths = async (resourceId: string) => (await store.listRequests({ tenantId, resourceId, limit: 10 })).map((r) => r.path);
      assert.deepEqual(await paths('created-1'), ['/Bulk']);
      assert.deepEqual(await paths('g-1'), ['/Bulk', '/Users/g-1']);
      assert.deepEqual(await paths('nothing'), []);
      const [bulk] = await store.listRequests({ tenantId, resourceId: 'created-1', limit: 1 });
      assert.deepEqual(bulk!.operations, [...operations.slice(0, 3), { method: 'POST', path: '/Users', status: 409 }]);
      assert.equal((await store.listRequests({ tenantId, pathPrefix: '/Users', limit: 10 }))[0]!.operations, undefined);
      await store.pruneRequests({ tenantId, throughSeq: Number.MAX_SAFE_INTEGER }, 100);
      assert.deepEqual(await paths('g-1'), [], 'pruned with their entries');
    });

    it('finds the entries that name a resource across generations of the resource index, newest first (migration 111)', async () => {
      const store = storeOf();
      const tenantId = randomUUID();
      const other = randomUUID();
      // 2,400 entries: the three that name the resource are at least 1,024 apart, each in a
      // generation (seq / 1024) of its own, between the tenant's other entries and another
      // tenant's entries that name a resource of the same id.
      const naming = new Map([
        [0, 'POST'],
        [1100, 'PATCH'],
        [2300, 'DELETE'],
      ]);
      const batch = Array.from({ length: 2400 }, (_, i) => {
        const method = naming.get(i);
        if (method !== undefined) return entry(tenantId, { method, path: '/Users/u-gen', resourceId: 'u-gen' });
        return i % 2 === 0 ? entry(tenantId) : entry(other, { path: '/Users/u-gen', resourceId: 'u-gen' });
      });
      await store.appendRequests(batch);
      const found = await store.listRequests({ tenantId, resourceId: 'u-gen', limit: 10 });
      assert.deepEqual(
        found.map((r) => r.method),
        ['DELETE', 'PATCH', 'POST'],
      );
      assert.ok(found[0]!.seq - found[2]!.seq >= 2300);
      const next = await store.listRequests({ tenantId, resourceId: 'u-gen', limit: 1, beforeSeq: found[0]!.seq });
      assert.deepEqual(
        next.map((r) => r.method),
        ['PATCH'],
      );
      assert.deepEqual(
        await store.listRequests({ tenantId: randomUUID(), resourceId: 'u-gen', limit: 10 }),
        [],
        'a tenant with no entries',
      );
    });

    it('writes a batch in one transaction: a batch the database refuses leaves none of its entries', async () => {
      const store = storeOf();
      const tenantId = randomUUID();
      // 70 rows: a 64-row INSERT that would succeed, then the refused one (method is NOT NULL).
      const batch = Array.from({ length: 70 }, (_, i) => entry(tenantId, i === 69 ? { method: null as unknown as string } : {}));
      await assert.rejects(store.appendRequests(batch));
      assert.deepEqual(await store.listRequests({ tenantId, limit: 100 }), []);
      await store.appendRequests([entry(tenantId)]);
      assert.equal((await store.listRequests({ tenantId, limit: 100 })).length, 1, 'the next batch is written');
    });

    it('prunes by age, and by size per tenant keeping the newest; deleting a tenant deletes its entries', async () => {
      const store = storeOf();
      const big = randomUUID();
      const small = randomUUID();
      const body = 'x'.repeat(1000);
      const old = Array.from({ length: 5 }, () => entry(big, { time: '2000-01-01T00:00:00.000Z' }));
      const recent = Array.from({ length: 10 }, (_, i) =>
        entry(big, { time: `2030-01-01T00:00:0${i}.000Z`, requestBody: body, requestBytes: 1000 }),
      );
      await store.appendRequests([...old, ...recent, entry(small, { requestBody: body, requestBytes: 1000 })]);

      // By age, in the order written (the entries of the tests before this one are older still):
      // up to the first entry that is not old enough.
      let deleted = 0;
      for (let n = 2; n === 2; deleted += n) n = await store.pruneRequests({ beforeMs: Date.parse('2029-01-01T00:00:00Z') }, 2);
      assert.ok(deleted >= 5, `age pruning deleted ${deleted}`);
      assert.equal((await store.listRequests({ tenantId: big, limit: 100 })).length, 10);
      assert.equal(
        await store.pruneRequests({ beforeMs: Date.parse('2029-01-01T00:00:00Z') }, 2),
        0,
        'nothing older before the first newer entry',
      );

      // Each recent row stores 1,000 bytes of body plus some 250 of overhead: 4,000 bytes keep three.
      const seqs = (await store.listRequests({ tenantId: big, limit: 100 })).map((r) => r.seq);
      const whole = await store.measureRequests(big, {}, 100, 4000);
      assert.deepEqual([whole.newestSeq, whole.oldestSeq, whole.beyondSeq], [seqs[0], seqs[9], seqs[3]]);
      assert.ok(whole.bytes > 10_000 && whole.bytes < 15_000, `${whole.bytes} bytes`);
      // What the budget keeps: the three newest, each between 1,000 and 1,333 bytes.
      assert.ok(whole.keptBytes > 3000 && whole.keptBytes <= 4000, `${whole.keptBytes} bytes kept`);
      // A page at a time, newest first: the first two fit, the next page finds where 4,000 ends.
      const first = await store.measureRequests(big, {}, 2, 4000);
      assert.deepEqual([first.newestSeq, first.oldestSeq, first.beyondSeq, first.keptBytes], [seqs[0], seqs[1], undefined, first.bytes]);
      const second = await store.measureRequests(big, { beforeSeq: first.oldestSeq }, 2, 4000 - first.bytes);
      assert.deepEqual([second.newestSeq, second.oldestSeq, second.beyondSeq], [seqs[2], seqs[3], seqs[3]]);
      assert.equal(first.bytes + second.keptBytes, whole.keptBytes);
      assert.deepEqual(await store.measureRequests(big, { beforeSeq: seqs[9] }, 2, 4000), {
        bytes: 0,
        newestSeq: undefined,
        oldestSeq: undefined,
        beyondSeq: undefined,
        keptBytes: 0,
      });
      // Only the entries written after a seq: what a prune measures where the log grew.
      const newer = await store.measureRequests(big, { afterSeq: seqs[2] }, 100, 4000);
      assert.deepEqual([newer.newestSeq, newer.oldestSeq, newer.beyondSeq, newer.keptBytes], [seqs[0], seqs[1], undefined, first.bytes]);
      assert.equal(await store.pruneRequests({ tenantId: big, throughSeq: whole.beyondSeq! }, 100), 7);
      assert.deepEqual(
        (await store.listRequests({ tenantId: big, limit: 100 })).map((r) => r.time.slice(17, 19)),
        ['09', '08', '07'],
      );
      assert.equal((await store.listRequests({ tenantId: small, limit: 100 })).length, 1, 'other tenants keep theirs');

      const tenant = await store.createTenant({
        id: randomUUID(),
        name: `log-${randomUUID().slice(0, 8)}`,
        createdAt: '2024-01-01T00:00:00.000Z',
      });
      await store.appendRequests([entry(tenant.id)]);
      await store.deleteTenant(tenant.id);
      assert.deepEqual(await store.listRequests({ tenantId: tenant.id, limit: 10 }), []);
    });
  });
}
