import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ResolvedFilter } from '../../src/filter/ast.ts';
import { tenantRegistry } from '../../src/schema/custom.ts';
import { createCoreRegistry } from '../../src/schema/registry.ts';
import { ROLE_TYPE } from '../../src/schema/types/roles-entitlements.ts';
import type { QueryResult, QueryTarget } from '../../src/store/ports/resources.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { before, describe, it } from '../../src/store/testing/skippable.ts';
import { filterBuilders } from './filters.ts';
import { newTenant, T0 } from './helpers.ts';

/** More users than two checkpoint strides (src/store/sql/index-positions.ts), so that jumps land between checkpoints. */
const USERS = 1_234;
/** Roles (the generic store, docs/resource-types.md): more than two strides too. */
const ROLES = 1_100;

interface List {
  readonly name: string;
  readonly targets: readonly QueryTarget[];
  readonly descending: boolean;
}

/**
 * RFC 7644 §3.4.2.4 index paging through remembered positions (docs/filtering.md, Paging), part
 * of the store contract: every page by startIndex is the page an OFFSET gives at that moment,
 * whether it continues a walk, jumps anywhere, or follows writes; lists of other filters, sort
 * orders and tenants never lend each other their positions.
 */
export function indexPagingContract(stores: () => Store): void {
  const f = filterBuilders(tenantRegistry(createCoreRegistry(), [], [ROLE_TYPE]));
  const titleIs = (t: string): ResolvedFilter => f.cmp('User', 'title', 'eq', t);
  const user = (target: Omit<QueryTarget, 'resourceType'> = {}): QueryTarget => ({ resourceType: 'User', ...target });
  const role = (target: Omit<QueryTarget, 'resourceType'> = {}): QueryTarget => ({ resourceType: 'Role', ...target });
  const created = { sortBy: f.attr('User', 'meta.created') };
  const lists: List[] = [
    { name: 'no sortBy', targets: [user()], descending: false },
    { name: 'userName', targets: [user({ sortBy: f.attr('User', 'userName') })], descending: false },
    { name: 'userName descending', targets: [user({ sortBy: f.attr('User', 'userName') })], descending: true },
    { name: 'title (absent last)', targets: [user({ sortBy: f.attr('User', 'title') })], descending: false },
    { name: 'title descending', targets: [user({ sortBy: f.attr('User', 'title') })], descending: true },
    { name: 'title eq "t1"', targets: [user({ filter: titleIs('t1') })], descending: false },
    { name: 'title eq "t2"', targets: [user({ filter: titleIs('t2') })], descending: false },
    // The generic store's table, and both tables at once (the root /.search, RFC 7644 §3.4.3).
    { name: 'roles', targets: [role()], descending: false },
    { name: 'roles by value descending', targets: [role({ sortBy: f.attr('Role', 'value') })], descending: true },
    { name: 'roles by type (absent last)', targets: [role({ sortBy: f.attr('Role', 'type') })], descending: false },
    { name: 'users and roles', targets: [user(), role()], descending: false },
    { name: 'users and roles by created', targets: [user(created), role({ sortBy: f.attr('Role', 'meta.created') })], descending: true },
    // Users have no Role attribute: they sort as absent values, after every role ascending, before descending.
    { name: 'roles by value, users absent', targets: [user(), role({ sortBy: f.attr('Role', 'value') })], descending: false },
    { name: 'roles by value descending, users absent', targets: [user(), role({ sortBy: f.attr('Role', 'value') })], descending: true },
    {
      name: 'users by title and roles by type',
      targets: [user({ sortBy: f.attr('User', 'title') }), role({ sortBy: f.attr('Role', 'type') })],
      descending: false,
    },
  ];

  const page = (store: Store, tenantId: string, list: List, startIndex: number, count: number): Promise<QueryResult> =>
    store.query(tenantId, { targets: list.targets, descending: list.descending, page: { kind: 'index', startIndex, count }, include: {} });

  /** The whole list in one page from the first row: what OFFSET slices. */
  const whole = async (store: Store, tenantId: string, list: List) =>
    (await page(store, tenantId, list, 1, 100_000)).resources.map((r) => r.id);

  const assertOffsetPage = (got: QueryResult, all: readonly string[], startIndex: number, count: number, what: string) => {
    assert.deepEqual(
      got.resources.map((r) => r.id),
      all.slice(startIndex - 1, startIndex - 1 + count),
      what,
    );
    assert.equal(got.totalResults, all.length, `${what}: totalResults`);
    assert.equal(got.hasNext, startIndex - 1 + count < all.length, `${what}: hasNext`);
    assert.equal(got.hasPrevious, startIndex > 1, `${what}: hasPrevious`);
  };

  const seed = async (store: Store, tenantId: string, n: number, prefix: string) => {
    // Titles t0…t6 with every 9th absent; userNames not in creation order.
    const commands = Array.from({ length: n }, (_, i) => ({
      resourceType: 'User' as const,
      id: randomUUID(),
      doc: { userName: `${prefix}${String((i * 7919) % n).padStart(5, '0')}`, ...(i % 9 === 0 ? {} : { title: `t${i % 7}` }) },
      now: T0,
    }));
    const created = await store.createMany(tenantId, commands);
    assert.equal(created.length, n);
  };

  const seedRoles = async (store: Store, tenantId: string, n: number) => {
    // Values not in creation order, created a minute apart (meta.created sorts them); every 5th without a type.
    const commands = Array.from({ length: n }, (_, i) => ({
      resourceType: 'Role' as const,
      id: randomUUID(),
      doc: { value: `role-${String((i * 7919) % n).padStart(5, '0')}`, ...(i % 5 === 0 ? {} : { type: `k${i % 3}` }) },
      now: new Date(Date.parse(T0) + i * 60_000).toISOString(),
    }));
    const created = await store.typedResources.createMany(tenantId, commands);
    assert.equal(created.length, n);
  };

  describe('RFC 7644 §3.4.2.4 index pages from remembered positions', () => {
    let tenantId: string;
    before(async () => {
      tenantId = await newTenant(stores());
      await seed(stores(), tenantId, USERS, 'u');
      await seedRoles(stores(), tenantId, ROLES);
    });

    it('walking forward by startIndex gives exactly the OFFSET pages, for every filter and sort order walked side by side', async () => {
      const store = stores();
      const alls = await Promise.all(lists.map((list) => whole(store, tenantId, list)));
      const count = 97;
      const longest = Math.max(...alls.map((a) => a.length));
      // Page n of every list before page n + 1 of any: a list that borrowed another's positions would go wrong.
      for (let start = 1; start <= longest + count; start += count) {
        for (const [i, list] of lists.entries()) {
          assertOffsetPage(await page(store, tenantId, list, start, count), alls[i]!, start, count, `${list.name}, startIndex ${start}`);
        }
      }
    });

    it('a jump to any startIndex, before or after a walk, gives the OFFSET page', async () => {
      const store = stores();
      for (const list of lists) {
        const all = await whole(store, tenantId, list);
        for (const start of [1_001, 501, 2, 999, 1_000, 1_234, 1_235, 2_000, 5_000, 17, 600, 101]) {
          assertOffsetPage(await page(store, tenantId, list, start, 50), all, start, 50, `${list.name}, startIndex ${start}`);
        }
      }
    });

    it('writes between the pages of a walk: each page is the OFFSET page of the list as it is then', async () => {
      const store = stores();
      const tenant = await newTenant(store);
      await seed(store, tenant, 700, 'w');
      await seedRoles(store, tenant, 300);
      const of = (type: string) => (type === 'User' ? store : store.typedResources);
      // The users' lists through their 700 users, and three lists of roles and of both tables through all 1,000.
      const walks = [
        ...lists.filter((l) => l.targets.every((t) => t.resourceType === 'User')).map((list) => ({ list, to: 800 })),
        ...['roles', 'users and roles by created', 'roles by value, users absent'].map((name) => ({
          list: lists.find((l) => l.name === name)!,
          to: 1_100,
        })),
      ];
      for (const { list, to } of walks) {
        const created: { type: string; id: string }[] = [];
        for (let start = 1, n = 0; start <= to; start += 60, n++) {
          const got = await page(store, tenant, list, start, 60);
          assertOffsetPage(got, await whole(store, tenant, list), start, 60, `${list.name}, startIndex ${start}`);
          // Before the page just served: a new first user or role, a deleted one, a changed title or type.
          const type = n % 4 < 2 ? 'User' : 'Role';
          const doc = type === 'User' ? { userName: `a-${list.name}-${n}`, title: 't1' } : { value: `a-${list.name}-${n}`, type: 'k1' };
          const id = randomUUID();
          await of(type).create(tenant, { resourceType: type, id, doc, now: T0 });
          created.push({ type, id });
          const [served] = got.resources;
          if (!served) continue;
          if (n % 2 === 1) {
            await of(served.resourceType).delete(tenant, served.resourceType, served.id);
            // A resource this walk created may come first on a page (newest first descending): it is gone now.
            const mine = created.findIndex((c) => c.id === served.id);
            if (mine >= 0) created.splice(mine, 1);
          } else {
            const change = served.resourceType === 'User' ? { title: 't2' } : { type: 'k2' };
            await of(served.resourceType).update(tenant, {
              resourceType: served.resourceType,
              id: served.id,
              change: (current) => ({ doc: { ...current.doc, ...change }, now: T0 }),
            });
          }
        }
        for (const { type, id } of created) await of(type).delete(tenant, type, id);
      }
    });

    it('tenants are isolated: the same list in another tenant never lends its positions', async () => {
      const store = stores();
      const other = await newTenant(store);
      await seed(store, other, 300, 'u');
      const list = lists[1]!;
      const mine = await whole(store, tenantId, list);
      const theirs = await whole(store, other, list);
      for (let start = 1; start <= 400; start += 50) {
        assertOffsetPage(await page(store, tenantId, list, start, 50), mine, start, 50, `tenant A, startIndex ${start}`);
        assertOffsetPage(await page(store, other, list, start, 50), theirs, start, 50, `tenant B, startIndex ${start}`);
      }
      // A write in tenant B between pages of tenant A's walk; then A's next page.
      await store.create(other, { resourceType: 'User', id: randomUUID(), doc: { userName: 'a-first' }, now: T0 });
      assertOffsetPage(await page(store, tenantId, list, 451, 50), mine, 451, 50, 'tenant A after a write in B');
      assertOffsetPage(await page(store, other, list, 51, 50), await whole(store, other, list), 51, 50, 'tenant B after its write');
    });
  });
}
