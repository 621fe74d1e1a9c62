import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ResolvedFilter } from '../../src/filter/ast.ts';
import type { MemberOp, ResourceTypeName } from '../../src/schema/resource.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { MAX_GROUP_LEVELS } from '../../src/store/sql/nesting.ts';
import { before, describe, it } from '../../src/store/testing/skippable.ts';
import { filterBuilders } from './filters.ts';
import { isScim, newTenant, T0 } from './helpers.ts';

const T1 = '2024-06-01T12:00:00.000Z';

/**
 * RFC 7643 §4.2 nested groups and §4.1.2 a user's indirect groups (docs/nested-groups.md), for
 * every Store. Part of storeContract; `store` and `sibling` are read once its `before` has run.
 */
export function nestedGroupsContract(getStore: () => Store, getSibling: () => Store): void {
  const f = filterBuilders();

  describe('nested groups (RFC 7643 §4.2, §4.1.2)', () => {
    let store: Store;
    let tenantId: string;
    before(async () => {
      store = getStore();
      tenantId = await newTenant(store);
    });

    const newUser = async (userName: string) =>
      (await store.create(tenantId, { resourceType: 'User', id: randomUUID(), doc: { userName }, now: T0 })).resource.id;
    const newGroup = async (displayName: string, members: readonly string[] = []) =>
      (
        await store.create(tenantId, {
          resourceType: 'Group',
          id: randomUUID(),
          doc: { displayName },
          members: members.map((value) => ({ value })),
          now: T0,
        })
      ).resource.id;
    const change = (groupId: string, memberOps: readonly MemberOp[], on: Store = store) =>
      on.update(tenantId, { resourceType: 'Group', id: groupId, change: () => ({ memberOps, now: T1 }) });
    const nest = (parent: string, child: string, on?: Store) => change(parent, [{ kind: 'add', members: [{ value: child }] }], on);
    const groupsOf = async (userId: string) =>
      (await store.get(tenantId, 'User', userId, { groups: true }))?.groups?.map((g) => `${g.display}:${g.type}`);
    const ids = async (resourceType: ResourceTypeName, filter: ResolvedFilter) =>
      (
        await store.query(tenantId, {
          targets: [{ resourceType, filter }],
          descending: false,
          page: { kind: 'index', startIndex: 1, count: 1000 },
          include: {},
        })
      ).resources
        .map((r) => r.id)
        .sort();
    /** Five levels, L1 ⊃ L2 ⊃ L3 ⊃ L4 ⊃ L5 (created bottom up), `bottom` in L5 and directly in L2, `other` in L1. */
    const chain = async (prefix: string) => {
      const bottom = await newUser(`${prefix}-bottom`);
      const other = await newUser(`${prefix}-other`);
      const levels: string[] = [await newGroup(`${prefix}5`, [bottom])];
      for (let level = 4; level >= 1; level--)
        levels.unshift(await newGroup(`${prefix}${level}`, [levels[0]!, ...(level === 1 ? [other] : [])]));
      await change(levels[1]!, [{ kind: 'add', members: [{ value: bottom }] }]);
      return { bottom, other, levels };
    };

    it('a group can be a member of a group: the member reads back with type "Group" and its displayName', async () => {
      const inner = await newGroup('Inner');
      const u = await newUser('nest-u');
      const created = await store.create(tenantId, {
        resourceType: 'Group',
        id: randomUUID(),
        doc: { displayName: 'Outer' },
        members: [{ value: u }, { value: inner, type: 'Group' }],
        now: T0,
      });
      assert.deepEqual(created.memberDelta, { added: [u, inner], removed: [], groups: [inner] });
      const outer = await store.get(tenantId, 'Group', created.resource.id, { members: true });
      assert.deepEqual(outer?.members, [
        { value: u, type: 'User', resourceType: 'User', display: 'nest-u' },
        { value: inner, type: 'Group', resourceType: 'Group', display: 'Inner' },
      ]);
      const removed = await change(created.resource.id, [{ kind: 'remove', values: [inner] }]);
      assert.deepEqual(removed.memberDelta, { added: [], removed: [inner], groups: [inner] });
      const cleared = await change(created.resource.id, [{ kind: 'add', members: [{ value: inner }] }, { kind: 'removeAll' }]);
      assert.deepEqual(cleared.memberDelta, { added: [], removed: [u] });
    });

    it("a user's groups lists direct and indirect memberships through five levels, each group once, in creation order", async () => {
      const { bottom, other } = await chain('A');
      assert.deepEqual(await groupsOf(bottom), ['A5:direct', 'A4:indirect', 'A3:indirect', 'A2:direct', 'A1:indirect']);
      assert.deepEqual(await groupsOf(other), ['A1:direct']);
      // A page reads the groups of all its users in one statement: the same answer.
      const page = await store.query(tenantId, {
        targets: [{ resourceType: 'User', filter: f.cmp('User', 'userName', 'sw', 'A-') }],
        descending: false,
        page: { kind: 'index', startIndex: 1, count: 10 },
        include: { groups: true },
      });
      assert.deepEqual(
        page.resources.map((r) => r.groups?.map((g) => `${g.display}:${g.type}`)),
        [['A5:direct', 'A4:indirect', 'A3:indirect', 'A2:direct', 'A1:indirect'], ['A1:direct']],
      );
    });

    it('groups.value eq matches direct and indirect memberships; members.value only direct members', async () => {
      const { bottom, other, levels } = await chain('B');
      const [b1, b2, , b4, b5] = levels as [string, string, string, string, string];
      assert.deepEqual(await ids('User', f.cmp('User', 'groups.value', 'eq', b1)), [bottom, other].sort());
      assert.deepEqual(await ids('User', f.cmp('User', 'groups.value', 'eq', b4)), [bottom]);
      assert.deepEqual(
        await ids(
          'User',
          f.valuePath('User', 'groups', (s) => f.and(s('value', 'eq', b1), s('type', 'eq', 'indirect'))),
        ),
        [bottom],
      );
      assert.deepEqual(
        await ids(
          'User',
          f.valuePath('User', 'groups', (s) => f.and(s('value', 'eq', b1), s('type', 'eq', 'direct'))),
        ),
        [other],
      );
      // Direct in B2 (and indirect through B5): the element says "direct" only.
      assert.deepEqual(
        await ids(
          'User',
          f.valuePath('User', 'groups', (s) => f.and(s('value', 'eq', b2), s('type', 'eq', 'indirect'))),
        ),
        [],
      );
      assert.deepEqual(await ids('User', f.cmp('User', 'groups.display', 'eq', 'b3')), [bottom]);
      assert.ok((await ids('User', f.not(f.cmp('User', 'groups.value', 'eq', b4)))).includes(other));
      assert.ok((await ids('User', f.pr('User', 'groups'))).includes(bottom));
      // RFC 7643 §4.2: members are direct. B1's members are B2 and `other`, not `bottom`.
      assert.deepEqual(await ids('Group', f.cmp('Group', 'members.value', 'eq', bottom)), [b2, b5].sort());
      assert.deepEqual(await ids('Group', f.cmp('Group', 'members.value', 'eq', b2)), [b1]);
      assert.deepEqual(
        await ids(
          'Group',
          f.valuePath('Group', 'members', (s) => f.and(s('type', 'eq', 'Group'), s('value', 'eq', b5))),
        ),
        [b4],
      );
    });

    it('refuses a cycle with invalidValue and writes nothing: itself, its parent, its ancestor', async () => {
      const top = await newGroup('C-top');
      const mid = await newGroup('C-mid');
      const low = await newGroup('C-low');
      await nest(top, mid);
      await nest(mid, low);
      await assert.rejects(nest(low, low), isScim(400, 'invalidValue', /cannot be a member of itself/));
      await assert.rejects(nest(low, mid), isScim(400, 'invalidValue', /would create a cycle/));
      await assert.rejects(nest(low, top), isScim(400, 'invalidValue', /would create a cycle/));
      // A cycle anywhere in the operations refuses all of them.
      const u = await newUser('c-user');
      await assert.rejects(
        change(low, [
          { kind: 'add', members: [{ value: u }] },
          { kind: 'add', members: [{ value: top }] },
        ]),
        isScim(400, 'invalidValue'),
      );
      const after = await store.get(tenantId, 'Group', low, { members: true });
      assert.equal(after?.version, 1);
      assert.deepEqual(after?.members, []);
      // The same edge the other way round is fine: a diamond is not a cycle.
      await nest(top, low);
      assert.deepEqual(
        (await store.get(tenantId, 'Group', top, { members: true }))?.members?.map((m) => m.display),
        ['C-mid', 'C-low'],
      );
    });

    it(`nests at most ${MAX_GROUP_LEVELS} levels deep (invalidValue beyond), from above and from below`, async () => {
      const levels: string[] = [];
      for (let i = 1; i <= MAX_GROUP_LEVELS; i++) levels.push(await newGroup(`D${i}`));
      for (let i = 0; i + 1 < levels.length; i++) await nest(levels[i]!, levels[i + 1]!);
      const below = await newGroup('D-below');
      await assert.rejects(
        nest(levels.at(-1)!, below),
        isScim(400, 'invalidValue', new RegExp(`${MAX_GROUP_LEVELS + 1} levels deep; at most ${MAX_GROUP_LEVELS}`)),
      );
      const above = await newGroup('D-above');
      await assert.rejects(nest(above, levels[0]!), isScim(400, 'invalidValue', /levels deep/));
      await assert.rejects(
        store.create(tenantId, {
          resourceType: 'Group',
          id: randomUUID(),
          doc: { displayName: 'D-new' },
          members: [{ value: levels[0]! }],
          now: T0,
        }),
        isScim(400, 'invalidValue', /levels deep/),
      );
      // Beside the chain, at its depth, is fine.
      await nest(levels.at(-2)!, below);
    });

    it('a member type that contradicts the resource: refused by refusing rules, recorded as Group by the lenient default', async () => {
      const g = await newGroup('E');
      const inner = await newGroup('E-inner');
      await assert.rejects(
        store.update(tenantId, {
          resourceType: 'Group',
          id: g,
          change: () => ({
            memberOps: [{ kind: 'add', members: [{ value: inner, type: 'User' }] }],
            memberRules: { unknown: 'refuse', wrongType: 'refuse' },
            now: T1,
          }),
        }),
        isScim(400, 'invalidValue', /is a Group, not a "User"/),
      );
      const written = await change(g, [{ kind: 'add', members: [{ value: inner, type: 'User' }] }]);
      assert.deepEqual(written.memberDelta, { added: [inner], removed: [], groups: [inner] });
      const members = (await store.get(tenantId, 'Group', g, { members: true }))?.members;
      assert.deepEqual(
        members?.map((m) => [m.value, m.type]),
        [[inner, 'Group']],
      );
    });

    it('deleting a group removes it from its parents; its users lose the memberships that came through it', async () => {
      const { bottom, levels } = await chain('F');
      await store.delete(tenantId, 'Group', levels[2]!);
      assert.deepEqual(
        (await store.get(tenantId, 'Group', levels[1]!, { members: true }))?.members?.map((m) => m.value),
        [bottom],
      );
      assert.deepEqual(await groupsOf(bottom), ['F5:direct', 'F4:indirect', 'F2:direct', 'F1:indirect']);
      await store.delete(tenantId, 'Group', levels[1]!);
      assert.deepEqual(await groupsOf(bottom), ['F5:direct', 'F4:indirect']);
      assert.deepEqual(
        await ids('User', f.cmp('User', 'groups.value', 'eq', levels[0]!)),
        await ids('User', f.cmp('User', 'userName', 'eq', 'F-other')),
      );
    });

    it('two writers nesting A in B and B in A at once (two handles): never both, so never a cycle', async () => {
      const sibling = getSibling();
      for (let round = 0; round < 8; round++) {
        const a = await newGroup(`G${round}a`);
        const b = await newGroup(`G${round}b`);
        const outcomes = await Promise.allSettled([nest(a, b), nest(b, a, sibling)]);
        const failures = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason as unknown);
        assert.equal(failures.length, 1, `round ${round}: exactly one writer wins`);
        isScim(400, 'invalidValue', /would create a cycle/)(failures[0]);
        const members = async (id: string) => (await store.get(tenantId, 'Group', id, { members: true }))?.members?.length;
        assert.equal((await members(a))! + (await members(b))!, 1);
      }
    });
  });
}
