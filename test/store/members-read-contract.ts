import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { MemberFormat, MembersRead } from '../../src/store/ports/resources.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { before, describe, it } from '../../src/store/testing/skippable.ts';
import { newTenant, T0 } from './helpers.ts';

const FULL: MemberFormat = {
  value: true,
  ref: { User: '"https://scim.example.com/scim/v2/Users/', Group: '"https://scim.example.com/scim/v2/Groups/' },
  display: true,
  type: true,
};

/** Everything a read returns, as the members array it spells out. */
async function drain(read: MembersRead): Promise<Record<string, unknown>[]> {
  const pieces: string[] = [];
  for (let piece = await read.next(); piece !== undefined; piece = await read.next()) pieces.push(piece);
  return JSON.parse(`[${pieces.join(',')}]`) as Record<string, unknown>[];
}

/**
 * A group's members read a chunk at a time (ResourceStore.readMembers, docs/performance.md "Big
 * groups"), part of the store contract: the JSON text of each member as the representation
 * writes it, in the order they were added, all from one version of the group.
 */
export function membersReadContract(stores: () => { store: Store; sibling: Store }): void {
  describe('a group read with its members in chunks (readMembers)', () => {
    let tenantId: string;
    let users: { id: string; display: string }[];
    let big: string;
    let extra: string[];

    before(async () => {
      const { store } = stores();
      tenantId = await newTenant(store);
      // More than two chunks of 1,000; every 7th user has no displayName and shows its userName.
      users = Array.from({ length: 2_345 }, (_, i) => {
        const userName = `big-${i}@example.com`;
        return { id: randomUUID(), display: i % 7 === 0 ? userName : `Big "${i}"\n` };
      });
      await store.createMany(
        tenantId,
        users.map((u, i) => ({
          resourceType: 'User' as const,
          id: u.id,
          doc: { userName: `big-${i}@example.com`, ...(i % 7 === 0 ? {} : { displayName: u.display }) },
          now: T0,
        })),
      );
      extra = [];
      for (let i = 0; i < 3; i++) {
        const id = randomUUID();
        await store.create(tenantId, { resourceType: 'User', id, doc: { userName: `extra-${i}` }, now: T0 });
        extra.push(id);
      }
      // Added in an order that is not the order of creation: members come in the order added.
      const order = [...users.slice(1000), ...users.slice(0, 1000)];
      big = randomUUID();
      await store.create(tenantId, {
        resourceType: 'Group',
        id: big,
        doc: { displayName: 'Big' },
        members: order.map((u) => ({ value: u.id })),
        now: T0,
      });
      users = order;
    });

    it('returns every member in the order added, each as the representation writes a reference', async () => {
      const read = await stores().store.readMembers(tenantId, big, FULL);
      assert.ok(read);
      assert.equal(read.group.id, big);
      assert.equal(read.group.doc['displayName'], 'Big');
      assert.equal(read.group.members, undefined);
      const members = await drain(read);
      assert.deepEqual(
        members,
        users.map((u) => ({ value: u.id, $ref: `https://scim.example.com/scim/v2/Users/${u.id}`, display: u.display, type: 'User' })),
      );
    });

    it('writes only the sub-attributes the format names, in the representation order', async () => {
      const read = await stores().store.readMembers(tenantId, big, { value: true, ref: undefined, display: false, type: false });
      const members = await drain(read!);
      assert.deepEqual(members.slice(0, 2), [{ value: users[0]!.id }, { value: users[1]!.id }]);
      assert.equal(members.length, users.length);
      const typed = await drain((await stores().store.readMembers(tenantId, big, { ...FULL, value: false, ref: undefined }))!);
      assert.deepEqual(Object.keys(typed[0]!), ['display', 'type']);
    });

    it('a group of members and groups: each $ref names its own endpoint', async () => {
      const { store } = stores();
      const inner = randomUUID();
      await store.create(tenantId, { resourceType: 'Group', id: inner, doc: { displayName: 'Inner' }, now: T0 });
      const outer = randomUUID();
      await store.create(tenantId, {
        resourceType: 'Group',
        id: outer,
        doc: { displayName: 'Outer' },
        members: [{ value: extra[0]! }, { value: inner }],
        now: T0,
      });
      assert.deepEqual(await drain((await store.readMembers(tenantId, outer, FULL))!), [
        { value: extra[0], $ref: `https://scim.example.com/scim/v2/Users/${extra[0]}`, display: 'extra-0', type: 'User' },
        { value: inner, $ref: `https://scim.example.com/scim/v2/Groups/${inner}`, display: 'Inner', type: 'Group' },
      ]);
    });

    it('sees one version of the group while another writer changes its members between chunks', async () => {
      const { store, sibling } = stores();
      const read = await store.readMembers(tenantId, big, { value: true, ref: undefined, display: false, type: false });
      assert.ok(read);
      const pieces = [await read.next()];
      const current = (await sibling.get(tenantId, 'Group', big, {}))!;
      await sibling.update(tenantId, {
        resourceType: 'Group',
        id: big,
        change: () => ({
          memberOps: [
            { kind: 'remove', values: [users[1500]!.id, users[2300]!.id] },
            { kind: 'add', members: [{ value: extra[1]! }] },
          ],
          now: T0,
        }),
      });
      for (let piece = await read.next(); piece !== undefined; piece = await read.next()) pieces.push(piece);
      const seen = (JSON.parse(`[${pieces.join(',')}]`) as { value: string }[]).map((m) => m.value);
      assert.deepEqual(
        seen,
        users.map((u) => u.id),
      );
      assert.equal(read.group.version, current.version);
      // Undo, so that the other tests see the group as created.
      await store.update(tenantId, {
        resourceType: 'Group',
        id: big,
        change: () => ({ memberOps: [{ kind: 'removeAll' }, { kind: 'add', members: users.map((u) => ({ value: u.id })) }], now: T0 }),
      });
    });

    it('a read closed early releases what it holds, and reads nothing more', async () => {
      const { store } = stores();
      for (let i = 0; i < 12; i++) {
        const read = await store.readMembers(tenantId, big, FULL);
        assert.ok(await read!.next());
        await read!.close();
        assert.equal(await read!.next(), undefined);
        await read!.close();
      }
      // The store still reads and writes (a PostgreSQL pool would be exhausted by leaked connections).
      const u = randomUUID();
      await store.create(tenantId, { resourceType: 'User', id: u, doc: { userName: `after-${u}` }, now: T0 });
      assert.equal((await drain((await store.readMembers(tenantId, big, FULL))!)).length, users.length);
    });

    it('a small group is one chunk; an empty group has none', async () => {
      const { store } = stores();
      const small = randomUUID();
      await store.create(tenantId, {
        resourceType: 'Group',
        id: small,
        doc: { displayName: 'Small' },
        members: [{ value: extra[2]! }],
        now: T0,
      });
      const read = (await store.readMembers(tenantId, small, FULL))!;
      assert.ok(await read.next());
      assert.equal(await read.next(), undefined);
      const empty = randomUUID();
      await store.create(tenantId, { resourceType: 'Group', id: empty, doc: { displayName: 'Empty' }, now: T0 });
      assert.equal(await (await store.readMembers(tenantId, empty, FULL))!.next(), undefined);
    });

    it('is undefined for an unknown id, a user, or a group of another tenant', async () => {
      const { store } = stores();
      assert.equal(await store.readMembers(tenantId, randomUUID(), FULL), undefined);
      assert.equal(await store.readMembers(tenantId, users[0]!.id, FULL), undefined);
      const other = await newTenant(store);
      assert.equal(await store.readMembers(other, big, FULL), undefined);
    });
  });
}
