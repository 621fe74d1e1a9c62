import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ResolvedFilter } from '../../src/filter/ast.ts';
import type { QueryResult, QueryTarget } from '../../src/store/ports/resources.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { before, describe, it } from '../../src/store/testing/skippable.ts';
import { filterBuilders } from './filters.ts';
import { newTenant, T0 } from './helpers.ts';

/** More users than two checkpoint strides (src/store/sql/index-positions.ts), so that jumps land between checkpoints. */
const USERS = 1_234;

interface List {
  readonly name: string;
  readonly target: QueryTarget;
  readonly descending: boolean;
}

/**
 * RFC 7644 §3.4.2.4 index paging through remembered positions (docs/filtering.md, Paging), part
 * of the store contract: every page by startIndex is the page an OFFSET gives at that moment,
 * whether it continues a walk, jumps anywhere, or follows writes; lists of other filters, sort
 * orders and tenants never lend each other their positions.
 */
export function indexPagingContract(stores: () => Store): void {
  const f = filterBuilders();
  const titleIs = (t: string): ResolvedFilter => f.cmp('User', 'title', 'eq', t);
  const lists: List[] = [
    { name: 'no sortBy', target: { resourceType: 'User' }, descending: false },
    { name: 'userName', target: { resourceType: 'User', sortBy: f.attr('User', 'userName') }, descending: false },
    { name: 'userName descending', target: { resourceType: 'User', sortBy: f.attr('User', 'userName') }, descending: true },
    { name: 'title (absent last)', target: { resourceType: 'User', sortBy: f.attr('User', 'title') }, descending: false },
    { name: 'title descending', target: { resourceType: 'User', sortBy: f.attr('User', 'title') }, descending: true },
    { name: 'title eq "t1"', target: { resourceType: 'User', filter: titleIs('t1') }, descending: false },
    { name: 'title eq "t2"', target: { resourceType: 'User', filter: titleIs('t2') }, descending: false },
  ];

  const page = (store: Store, tenantId: string, list: List, startIndex: number, count: number): Promise<QueryResult> =>
    store.query(tenantId, { targets: [list.target], descending: list.descending, page: { kind: 'index', startIndex, count }, include: {} });

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

  describe('RFC 7644 §3.4.2.4 index pages from remembered positions', () => {
    let tenantId: string;
    before(async () => {
      tenantId = await newTenant(stores());
      await seed(stores(), tenantId, USERS, 'u');
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
        for (const start of [1_001, 501, 2, 999, 1_000, 1_234, 1_235, 5_000, 17, 600, 101]) {
          assertOffsetPage(await page(store, tenantId, list, start, 50), all, start, 50, `${list.name}, startIndex ${start}`);
        }
      }
    });

    it('writes between the pages of a walk: each page is the OFFSET page of the list as it is then', async () => {
      const store = stores();
      const tenant = await newTenant(store);
      await seed(store, tenant, 700, 'w');
      for (const list of lists) {
        const created: string[] = [];
        for (let start = 1, n = 0; start <= 800; start += 60, n++) {
          const got = await page(store, tenant, list, start, 60);
          assertOffsetPage(got, await whole(store, tenant, list), start, 60, `${list.name}, startIndex ${start}`);
          // Before the page just served: a new first user, a deleted one, a changed title.
          const first = { userName: `a-${list.name}-${n}`, title: 't1' };
          created.push((await store.create(tenant, { resourceType: 'User', id: randomUUID(), doc: first, now: T0 })).resource.id);
          const [served] = got.resources;
          if (!served) continue;
          if (n % 2 === 1) await store.delete(tenant, 'User', served.id);
          else {
            await store.update(tenant, {
              resourceType: 'User',
              id: served.id,
              change: (current) => ({ doc: { ...current.doc, title: 't2' }, now: T0 }),
            });
          }
        }
        for (const id of created) await store.delete(tenant, 'User', id);
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
