import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { CompareOp, ResolvedFilter } from '../../src/filter/ast.ts';
import { tenantRegistry } from '../../src/schema/custom.ts';
import { createCoreRegistry } from '../../src/schema/registry.ts';
import { GROUP_MEMBER_TYPE, membershipId } from '../../src/schema/types/group-member.ts';
import type { MembershipPage, StoredMembership } from '../../src/store/ports/group-members.ts';
import type { Page } from '../../src/store/ports/resources.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { before, describe, it } from '../../src/store/testing/skippable.ts';
import { newTenant, T0 } from './helpers.ts';

const T1 = '2024-02-01T00:00:00.000Z';
const ALL: Page = { kind: 'index', startIndex: 1, count: 100 };

/** GroupMember filters as trees (the store contract does not use the filter parser). */
const registry = tenantRegistry(createCoreRegistry(), [], [GROUP_MEMBER_TYPE]);
function cmp(path: string, op: CompareOp, value: string): ResolvedFilter {
  const [name, subAttr] = path.split('.') as [string, string | undefined];
  const attr = registry.resolve('GroupMember', { name, ...(subAttr ? { subAttr } : {}) });
  if (!attr) throw new Error(`test filter names unknown attribute ${path}`);
  return { kind: 'compare', attr, op, value: { type: 'string', value } };
}
const and = (left: ResolvedFilter, right: ResolvedFilter): ResolvedFilter => ({ kind: 'and', left, right });
const or = (left: ResolvedFilter, right: ResolvedFilter): ResolvedFilter => ({ kind: 'or', left, right });
const not = (filter: ResolvedFilter): ResolvedFilter => ({ kind: 'not', filter });

/** A page's memberships as `group>member` pairs of names, in order. */
const pairs = (page: MembershipPage) => page.memberships.map((m) => `${m.groupDisplay}>${m.memberDisplay}`);

/**
 * draft-zollner-scim-group-members-01 (docs/group-members.md), part of the store contract: each
 * direct membership read as a GroupMember (GroupMemberStore): in the order added, filtered on any
 * of its attributes, paged by index or keyset, tenant by tenant. Memberships are written by the
 * group writes, as every other membership test does.
 */
export function groupMembersContract(stores: () => { store: Store }): void {
  describe('draft-zollner-scim-group-members-01: memberships read as GroupMembers', () => {
    let store: Store;
    let tenantId: string;
    let other: string;
    const user: Record<string, string> = {};
    let sales: string;
    let all: string;
    let empty: string;
    let otherUser: string;

    before(async () => {
      store = stores().store;
      tenantId = await newTenant(store);
      other = await newTenant(store);
      for (const name of ['ann', 'bob', 'cyd', 'dee']) {
        user[name] = randomUUID();
        // dee has no displayName: a member shows its userName then (as in `members`).
        const doc =
          name === 'dee' ? { userName: 'dee@example.com' } : { userName: `${name}@example.com`, displayName: `${name} (display)` };
        await store.create(tenantId, { resourceType: 'User', id: user[name]!, doc, now: T0 });
      }
      sales = randomUUID();
      await store.create(tenantId, {
        resourceType: 'Group',
        id: sales,
        doc: { displayName: 'Sales' },
        // Not in the order of creation: memberships come in the order added.
        members: [{ value: user['cyd']! }, { value: user['ann']! }],
        now: T0,
      });
      all = randomUUID();
      await store.create(tenantId, { resourceType: 'Group', id: all, doc: { displayName: 'All' }, now: T0 });
      await store.update(tenantId, {
        resourceType: 'Group',
        id: all,
        change: () => ({
          memberOps: [{ kind: 'add', members: [{ value: sales }, { value: user['bob']! }, { value: user['dee']! }] }],
          now: T1,
        }),
      });
      empty = randomUUID();
      await store.create(tenantId, { resourceType: 'Group', id: empty, doc: { displayName: 'Empty' }, now: T0 });
      otherUser = randomUUID();
      await store.create(other, { resourceType: 'User', id: otherUser, doc: { userName: 'ann@example.com' }, now: T0 });
      await store.create(other, {
        resourceType: 'Group',
        id: randomUUID(),
        doc: { displayName: 'Sales' },
        members: [{ value: otherUser }],
        now: T0,
      });
    });

    const query = (filter: ResolvedFilter | undefined, page: Page = ALL) =>
      store.queryMemberships(tenantId, { ...(filter ? { filter } : {}), page });

    it('§4.1: a membership names its group and member with their names, the member its type, and when it was added', async () => {
      const page = await query(cmp('group.value', 'eq', all));
      const expected: StoredMembership[] = [
        { groupId: all, groupDisplay: 'All', memberId: sales, memberType: 'Group', memberDisplay: 'Sales', created: T1 },
        { groupId: all, groupDisplay: 'All', memberId: user['bob']!, memberType: 'User', memberDisplay: 'bob (display)', created: T1 },
        { groupId: all, groupDisplay: 'All', memberId: user['dee']!, memberType: 'User', memberDisplay: 'dee@example.com', created: T1 },
      ];
      assert.deepEqual(page.memberships, expected);
      assert.equal(page.totalResults, 3);
    });

    it('§6.2.2: group.value eq lists the direct members of one group, in the order they were added', async () => {
      assert.deepEqual(pairs(await query(cmp('group.value', 'eq', sales))), ['Sales>cyd (display)', 'Sales>ann (display)']);
      assert.deepEqual(pairs(await query(cmp('group.value', 'eq', empty))), []);
      // A user's id names no group; ids are compared exactly (caseExact).
      assert.deepEqual(pairs(await query(cmp('group.value', 'eq', user['ann']!))), []);
      assert.deepEqual(pairs(await query(cmp('group.value', 'eq', sales.toUpperCase()))), []);
    });

    it('§4, §6.2.2: member.value eq lists the groups a member is directly in, never those it is in through nesting', async () => {
      // ann is in Sales, which is in All: only Sales.
      assert.deepEqual(pairs(await query(cmp('member.value', 'eq', user['ann']!))), ['Sales>ann (display)']);
      assert.deepEqual(pairs(await query(cmp('member.value', 'eq', sales))), ['All>Sales']);
    });

    it('§6.2.2: the other attributes filter too: member.type, member.display, group.display, id, with and, or, not', async () => {
      assert.deepEqual(pairs(await query(cmp('member.type', 'eq', 'group'))), ['All>Sales']);
      assert.deepEqual(pairs(await query(and(cmp('group.value', 'eq', all), cmp('member.display', 'sw', 'DEE')))), ['All>dee@example.com']);
      assert.deepEqual(pairs(await query(and(cmp('group.display', 'eq', 'sales'), not(cmp('member.value', 'eq', user['cyd']!))))), [
        'Sales>ann (display)',
      ]);
      assert.deepEqual(pairs(await query(or(cmp('member.value', 'eq', user['bob']!), cmp('member.value', 'eq', user['cyd']!)))), [
        'Sales>cyd (display)',
        'All>bob (display)',
      ]);
      assert.deepEqual(pairs(await query(cmp('id', 'eq', membershipId(all, user['bob']!)))), ['All>bob (display)']);
      assert.deepEqual(pairs(await query(cmp('id', 'eq', membershipId(sales, user['bob']!)))), []);
      assert.deepEqual(pairs(await query(cmp('id', 'sw', `${sales}~`))), ['Sales>cyd (display)', 'Sales>ann (display)']);
    });

    it('§6.2.1: index pages (startIndex, count) count every match', async () => {
      const filter = cmp('group.value', 'eq', all);
      const second = await query(filter, { kind: 'index', startIndex: 2, count: 1 });
      assert.deepEqual(pairs(second), ['All>bob (display)']);
      assert.equal(second.totalResults, 3);
      assert.deepEqual([second.hasPrevious, second.hasNext], [true, true]);
      const past = await query(filter, { kind: 'index', startIndex: 9, count: 5 });
      assert.deepEqual([pairs(past), past.totalResults, past.hasNext], [[], 3, false]);
    });

    it('§6.2.1, RFC 9865: cursor pages seek after the last key, forwards and backwards; the total only when asked', async () => {
      const filter = cmp('group.value', 'eq', all);
      const first = await query(filter, { kind: 'cursor', count: 2, withTotal: true });
      assert.deepEqual(pairs(first), ['All>Sales', 'All>bob (display)']);
      assert.deepEqual([first.totalResults, first.hasPrevious, first.hasNext], [3, false, true]);
      const next = await query(filter, { kind: 'cursor', count: 2, withTotal: false, after: first.lastKey! });
      assert.deepEqual(pairs(next), ['All>dee@example.com']);
      assert.deepEqual([next.totalResults, next.hasPrevious, next.hasNext], [undefined, true, false]);
      const back = await query(filter, { kind: 'cursor', count: 2, withTotal: false, before: next.firstKey! });
      assert.deepEqual(pairs(back), ['All>Sales', 'All>bob (display)']);
      assert.deepEqual([back.hasPrevious, back.hasNext], [false, true]);
    });

    it('§6.2: getMembership finds one membership by its group and member ids, and nothing else', async () => {
      const found = await store.getMembership(tenantId, sales, user['ann']!);
      assert.deepEqual(found, {
        groupId: sales,
        groupDisplay: 'Sales',
        memberId: user['ann']!,
        memberType: 'User',
        memberDisplay: 'ann (display)',
        created: T0,
      });
      assert.equal(await store.getMembership(tenantId, sales, user['bob']!), undefined);
      // A user is not a group; ann of this tenant, seen from the other, is no one.
      assert.equal(await store.getMembership(tenantId, user['ann']!, sales), undefined);
      assert.equal(await store.getMembership(other, sales, user['ann']!), undefined);
      assert.equal(await store.getMembership(tenantId, `${sales}\u0000`, user['ann']!), undefined);
    });

    it("tenants: a tenant's memberships are its own, whatever the filter names", async () => {
      assert.deepEqual(pairs(await query(cmp('member.value', 'eq', otherUser))), []);
      assert.deepEqual(pairs(await query(cmp('member.display', 'eq', 'ann@example.com'))), []);
      const everything = await query(undefined);
      assert.equal(everything.totalResults, 5);
      assert.deepEqual(pairs(await query(cmp('group.value', 'eq', '\u0000'))), []);
    });

    it('§7.1.2: a member removed from its group, or deleted, is no GroupMember any more; added again, it is one again', async () => {
      const team = randomUUID();
      await store.create(tenantId, {
        resourceType: 'Group',
        id: team,
        doc: { displayName: 'Team' },
        members: [{ value: user['ann']! }, { value: user['bob']! }],
        now: T0,
      });
      const gone = randomUUID();
      await store.create(tenantId, { resourceType: 'User', id: gone, doc: { userName: 'gone@example.com' }, now: T0 });
      await store.update(tenantId, {
        resourceType: 'Group',
        id: team,
        change: () => ({ memberOps: [{ kind: 'add', members: [{ value: gone }] }], now: T0 }),
      });
      await store.update(tenantId, {
        resourceType: 'Group',
        id: team,
        change: () => ({ memberOps: [{ kind: 'remove', values: [user['ann']!] }], now: T1 }),
      });
      await store.delete(tenantId, 'User', gone);
      assert.deepEqual(pairs(await query(cmp('group.value', 'eq', team))), ['Team>bob (display)']);
      await store.update(tenantId, {
        resourceType: 'Group',
        id: team,
        change: () => ({ memberOps: [{ kind: 'add', members: [{ value: user['ann']! }] }], now: T1 }),
      });
      const page = await query(cmp('group.value', 'eq', team));
      assert.deepEqual(pairs(page), ['Team>bob (display)', 'Team>ann (display)']);
      assert.equal(page.memberships[1]!.created, T1);
      await store.delete(tenantId, 'Group', team);
    });

    it('okta: one write of many one-member operations (256 `members[value eq …]` removes) does what they do one by one', async () => {
      const crew = randomUUID();
      await store.create(tenantId, {
        resourceType: 'Group',
        id: crew,
        doc: { displayName: 'Crew' },
        members: [{ value: user['ann']! }, { value: user['bob']! }],
        now: T0,
      });
      const written = await store.update(tenantId, {
        resourceType: 'Group',
        id: crew,
        change: () => ({
          memberOps: [
            { kind: 'remove', values: [user['ann']!] },
            { kind: 'remove', values: [user['bob']!] },
            { kind: 'remove', values: [user['ann']!] },
            { kind: 'add', members: [{ value: user['cyd']! }] },
            { kind: 'add', members: [{ value: user['ann']! }, { value: user['cyd']! }] },
          ],
          now: T1,
        }),
      });
      // ann left and came back: no change for her; bob left, cyd joined.
      assert.deepEqual(written.memberDelta, { added: [user['cyd']!], removed: [user['bob']!] });
      assert.deepEqual(pairs(await query(cmp('group.value', 'eq', crew))), ['Crew>cyd (display)', 'Crew>ann (display)']);
      await store.delete(tenantId, 'Group', crew);
    });
  });
}
