import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../../src/store/ports/outbox.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { describe, it } from '../../src/store/testing/skippable.ts';

const T1 = '2024-06-01T12:00:00.000Z';

/**
 * SetPollStore (RFC 8936 poll state, docs/events.md "Security Event Tokens"), part of the store
 * contract: `stores()` gives the suite's store and a second handle on the same database.
 */
export function setPollContract(stores: () => { store: Store; sibling: Store }): void {
  describe('RFC 8936 poll state and the SET signing key (SetPollStore)', () => {
    async function tenantWithEvents(count: number, time = T1): Promise<{ tenantId: string; ids: string[] }> {
      const { store } = stores();
      const tenantId = randomUUID();
      await store.createTenant({ id: tenantId, name: `p-${tenantId}`, createdAt: T1 });
      const ids = Array.from({ length: count }, () => randomUUID());
      const events = ids.map(
        (id): NewEvent => ({ id, type: 'scim.user.deleted', subject: `Users/${id}`, source: 'https://scim.example.com', time, data: {} }),
      );
      // One write carrying all the events: sequences 1..count.
      const userId = randomUUID();
      await store.create(tenantId, { resourceType: 'User', id: userId, doc: { userName: 'poller' }, now: time, events: () => events });
      return { tenantId, ids };
    }
    const sequences = async (tenantId: string, limit = 100) =>
      (await stores().store.unacknowledgedSets(tenantId, limit)).map((e) => e.sequence);

    it('offers every event until acknowledged, in sequence order, at most limit', async () => {
      const { store } = stores();
      const { tenantId, ids } = await tenantWithEvents(5);
      assert.deepEqual(await sequences(tenantId), [1, 2, 3, 4, 5]);
      assert.deepEqual(await sequences(tenantId, 2), [1, 2]);
      const matched = await store.acknowledgeSets(tenantId, [{ jti: ids[1]! }, { jti: ids[3]! }], T1);
      assert.deepEqual([...matched].sort(), [ids[1], ids[3]].sort());
      assert.deepEqual(await sequences(tenantId), [1, 3, 5]);
      // The prefix closes: the cursor moves over 1..4 and the answer stays the same.
      await store.acknowledgeSets(tenantId, [{ jti: ids[0]! }, { jti: ids[2]! }], T1);
      assert.deepEqual(await sequences(tenantId), [5]);
      await store.acknowledgeSets(tenantId, [{ jti: ids[4]!, err: 'invalid_key', description: 'unknown kid' }], T1);
      assert.deepEqual(await sequences(tenantId), []);
    });

    it("ignores acknowledgements of unknown events and of another tenant's, and repeated ones", async () => {
      const { store } = stores();
      const a = await tenantWithEvents(2);
      const b = await tenantWithEvents(2);
      assert.deepEqual(await store.acknowledgeSets(a.tenantId, [{ jti: b.ids[0]! }, { jti: 'made-up' }], T1), []);
      assert.deepEqual(await sequences(b.tenantId), [1, 2]);
      assert.deepEqual(await sequences(a.tenantId), [1, 2]);
      await store.acknowledgeSets(a.tenantId, [{ jti: a.ids[1]! }], T1);
      await store.acknowledgeSets(a.tenantId, [{ jti: a.ids[1]! }, { jti: a.ids[1]! }], T1);
      assert.deepEqual(await sequences(a.tenantId), [1]);
    });

    it('a second handle on the database sees the same poll state', async () => {
      const { sibling } = stores();
      const { tenantId, ids } = await tenantWithEvents(3);
      await sibling.acknowledgeSets(tenantId, [{ jti: ids[0]! }], T1);
      assert.deepEqual(await sequences(tenantId), [2, 3]);
    });

    it('keeps the first signing key set stored; later candidates get it back', async () => {
      const { store, sibling } = stores();
      const first = await store.setSigningKeys('{"keys":["first"]}', T1);
      assert.equal(await sibling.setSigningKeys('{"keys":["second"]}', T1), first);
      assert.equal(await store.setSigningKeys('{"keys":["third"]}', T1), first);
    });
  });
}
