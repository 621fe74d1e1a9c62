import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type CloudEvent, sequenceOf } from '../../src/events/cloud-event.ts';
import type { Publisher } from '../../src/events/publisher.ts';
import { Relay } from '../../src/events/relay.ts';
import type { ResolvedFilter } from '../../src/filter/ast.ts';
import { ENTERPRISE_USER_SCHEMA_ID } from '../../src/schema/core/enterprise-user.ts';
import { GROUP_SCHEMA_ID } from '../../src/schema/core/group.ts';
import { USER_SCHEMA_ID } from '../../src/schema/core/user.ts';
import type { ResolvedAttribute } from '../../src/schema/registry.ts';
import type { MemberRules, ResourceTypeName } from '../../src/schema/resource.ts';
import type { NewEvent, OutboxStore } from '../../src/store/ports/outbox.ts';
import type { CursorKey, Page, QueryTarget } from '../../src/store/ports/resources.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { after, before, describe, it } from '../../src/store/testing/skippable.ts';
import { VersionConflictError } from '../../src/store/version-conflict.ts';
import { adminContract } from './admin-contract.ts';
import { filterBuilders } from './filters.ts';
import { groupMembersContract } from './group-members-contract.ts';
import { isScim, LENIENT, newTenant, T0 } from './helpers.ts';
import { membersReadContract } from './members-read-contract.ts';
import { nestedGroupsContract } from './nested-groups-contract.ts';
import { oauthClientContract } from './oauth-clients.ts';
import { oauthIssuerContract } from './oauth-issuers.ts';
import { indexPagingContract } from './paging-contract.ts';
import { requestLogContract } from './request-log.ts';
import { setPollContract } from './set-poll-contract.ts';

const ENT = ENTERPRISE_USER_SCHEMA_ID;
const T1 = '2024-06-01T12:00:00.000Z';
const T2 = '2024-07-01T08:30:00.000Z';

async function user(store: Store, tenantId: string, doc: Record<string, unknown>, now = T0) {
  return (await store.create(tenantId, { resourceType: 'User', id: randomUUID(), doc, now })).resource;
}

async function group(store: Store, tenantId: string, displayName: string, members: string[] = [], now = T0) {
  return (
    await store.create(tenantId, {
      resourceType: 'Group',
      id: randomUUID(),
      doc: { displayName },
      members: members.map((value) => ({ value })),
      now,
    })
  ).resource;
}

const all: Page = { kind: 'index', startIndex: 1, count: 1000 };
/** Member rules that refuse what the lenient default skips or corrects (a strict tenant's). */
const REFUSE: MemberRules = { unknown: 'refuse', wrongType: 'refuse' };

/** A sink in memory shared by several relays: what was published, by whom, in which order. */
function sharedSink(name: string) {
  const received: { by: string; event: CloudEvent }[] = [];
  const publisher = (by: string, hook?: (events: readonly CloudEvent[]) => Promise<void>): Publisher => ({
    name,
    async publish(events) {
      // A little latency, so that relays interleave as they would against a broker.
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      for (const event of events) received.push({ by, event });
      await hook?.(events);
    },
    async close() {},
  });
  return { received, publisher };
}

/** The store as seen by a relay that froze (a process killed): from kill() on, no call returns. */
function freezable(store: OutboxStore): { store: OutboxStore; kill(): void } {
  let dead = false;
  const wrapped = new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (dead ? new Promise(() => undefined) : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return { store: wrapped, kill: () => (dead = true) };
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface ContractOptions {
  /**
   * Opens a second handle on the same database as `store` (another pool, another connection):
   * what a second instance sees. Default: the same handle.
   */
  readonly sibling?: (store: Store) => Promise<Store>;
}

/**
 * The behaviour every Store must have (SQLite now, PostgreSQL later). `makeStore` returns a fresh,
 * empty store; the suite migrates it and closes it.
 */
export function storeContract(name: string, makeStore: () => Promise<Store>, options: ContractOptions = {}): void {
  const f = filterBuilders();

  describe(`store contract: ${name}`, () => {
    let store: Store;
    let sibling: Store;
    before(async () => {
      store = await makeStore();
      await store.migrate();
      sibling = options.sibling ? await options.sibling(store) : store;
    });
    after(async () => {
      if (sibling !== store) await sibling.close();
      await store.close();
    });

    const names = async (
      tenantId: string,
      resourceType: ResourceTypeName,
      filter?: ResolvedFilter,
      sortBy?: string,
      descending = false,
    ) => {
      const target: QueryTarget = {
        resourceType,
        ...(filter ? { filter } : {}),
        ...(sortBy ? { sortBy: f.attr(resourceType, sortBy) } : {}),
      };
      const result = await store.query(tenantId, { targets: [target], descending, page: all, include: {} });
      assert.equal(result.totalResults, result.resources.length);
      return result.resources.map((r) => String(r.doc[resourceType === 'User' ? 'userName' : 'displayName']));
    };

    setPollContract(() => ({ store, sibling }));
    membersReadContract(() => ({ store, sibling }));
    groupMembersContract(() => ({ store }));

    describe('tenants and tokens', () => {
      it('creates, finds and lists tenants; a taken name is 409 uniqueness', async () => {
        const id = await newTenant(store, 'acme');
        assert.deepEqual(await store.findTenantByName('acme'), { id, name: 'acme', createdAt: T0, profile: LENIENT });
        assert.equal(await store.findTenantByName('nope'), undefined);
        assert.ok((await store.listTenants()).some((t) => t.id === id));
        await assert.rejects(store.createTenant({ id: randomUUID(), name: 'acme', createdAt: T0 }), isScim(409, 'uniqueness'));
      });

      it('stores tokens by hash, lists, touches and revokes them', async () => {
        const tenantId = await newTenant(store, 'tokens-tenant');
        const token = await store.createToken({ id: 'tok1', tenantId, hash: 'h'.repeat(64), label: 'entra', createdAt: T0 });
        assert.deepEqual(token, {
          id: 'tok1',
          tenantId,
          tenantName: 'tokens-tenant',
          label: 'entra',
          createdAt: T0,
          expiresAt: undefined,
          revokedAt: undefined,
          lastUsedAt: undefined,
          tenantProfile: LENIENT,
        });
        await store.touchToken('tok1', T1);
        assert.equal((await store.findTokenByHash('h'.repeat(64)))?.lastUsedAt, T1);
        assert.equal(await store.findTokenByHash('x'), undefined);
        assert.deepEqual(
          (await store.listTokens(tenantId)).map((t) => t.id),
          ['tok1'],
        );
        assert.ok((await store.listTokens()).some((t) => t.id === 'tok1'));
        assert.equal(await store.revokeToken('tok1', T1), true);
        assert.equal((await store.findTokenByHash('h'.repeat(64)))?.revokedAt, T1);
        assert.equal(await store.revokeToken('missing', T1), false);
        await store.ping();
      });

      it("keeps a tenant's profile and overrides (migration 45), and a token's lookup carries them", async () => {
        const tenantId = await newTenant(store, 'profiled');
        assert.equal(await store.setTenantProfile(tenantId, { name: 'entra', overrides: { uniqueGroupDisplayName: false } }), true);
        const expected = { name: 'entra', overrides: { uniqueGroupDisplayName: false } };
        assert.deepEqual((await store.findTenantByName('profiled'))?.profile, expected);
        assert.deepEqual((await store.listTenants()).find((t) => t.id === tenantId)?.profile, expected);
        await store.createToken({ id: 'tok-profiled', tenantId, hash: 'p'.repeat(64), createdAt: T0 });
        assert.deepEqual((await store.findTokenByHash('p'.repeat(64)))?.tenantProfile, expected);
        await store.setTenantProfile(tenantId, { name: 'strict', overrides: {} });
        assert.deepEqual((await store.findTokenById('tok-profiled'))?.tenantProfile, { name: 'strict', overrides: {} });
        assert.equal(await store.setTenantProfile(randomUUID(), LENIENT), false);
      });
    });

    oauthIssuerContract(() => store);
    oauthClientContract(() => store);
    requestLogContract(() => store);

    describe('resources', () => {
      let tenantId: string;
      before(async () => {
        tenantId = await newTenant(store);
      });

      it('creates, gets, updates and deletes a user', async () => {
        const created = await user(store, tenantId, { userName: 'crud', title: 'A' });
        assert.equal(created.version, 1);
        assert.equal(created.created, T0);
        const got = await store.get(tenantId, 'User', created.id, {});
        assert.deepEqual(got?.doc, { userName: 'crud', title: 'A' });
        assert.equal(got?.lastModified, T0);
        assert.equal(await store.get(tenantId, 'Group', created.id, {}), undefined);
        const updated = await store.update(tenantId, {
          resourceType: 'User',
          id: created.id,
          change: () => ({ doc: { userName: 'crud', title: 'B' }, now: T1 }),
        });
        assert.equal(updated.resource.version, 2);
        assert.equal(updated.resource.lastModified, T1);
        assert.equal(updated.resource.created, T0);
        // An update that changes nothing keeps the version and lastModified (RFC 7644 §3.14).
        const docless = await store.update(tenantId, { resourceType: 'User', id: created.id, change: () => ({ now: T2 }) });
        assert.deepEqual(docless.resource.doc, { userName: 'crud', title: 'B' });
        assert.equal(docless.resource.version, 2);
        assert.equal(docless.resource.lastModified, T1);
        const passwordOnly = await store.update(tenantId, {
          resourceType: 'User',
          id: created.id,
          change: () => ({ passwordHash: 'h', now: T2 }),
        });
        assert.equal(passwordOnly.resource.version, 3);
        assert.equal(passwordOnly.resource.lastModified, T2);
        const deleted = await store.delete(tenantId, 'User', created.id);
        assert.equal(deleted.id, created.id);
        assert.equal(await store.get(tenantId, 'User', created.id, {}), undefined);
        await assert.rejects(store.delete(tenantId, 'User', created.id), isScim(404));
        await assert.rejects(store.update(tenantId, { resourceType: 'User', id: created.id, change: () => ({ now: T1 }) }), isScim(404));
      });

      it('stores password hashes only on request, and clears them with null', async () => {
        const id = randomUUID();
        await store.create(tenantId, { resourceType: 'User', id, doc: { userName: 'pw' }, passwordHash: 'hash1', now: T0 });
        assert.equal((await store.get(tenantId, 'User', id, {}))?.passwordHash, undefined);
        assert.equal((await store.get(tenantId, 'User', id, { passwordHash: true }))?.passwordHash, 'hash1');
        await store.update(tenantId, { resourceType: 'User', id, change: () => ({ doc: { userName: 'pw' }, now: T1 }) });
        assert.equal((await store.get(tenantId, 'User', id, { passwordHash: true }))?.passwordHash, 'hash1');
        await store.update(tenantId, { resourceType: 'User', id, change: () => ({ passwordHash: null, now: T1 }) });
        const cleared = await store.get(tenantId, 'User', id, { passwordHash: true });
        assert.ok(cleared && 'passwordHash' in cleared && cleared.passwordHash === undefined);
      });

      it('a delete with a stale expected version is refused with VersionConflictError', async () => {
        const u = await user(store, tenantId, { userName: 'versioned' });
        await store.update(tenantId, { resourceType: 'User', id: u.id, change: () => ({ doc: { userName: 'versioned' }, now: T1 }) });
        await assert.rejects(store.delete(tenantId, 'User', u.id, 1), (e) => e instanceof VersionConflictError);
        assert.equal((await store.get(tenantId, 'User', u.id, {}))?.version, 2);
      });

      it('an update computes its change on the resource as stored, with what it includes; what the change throws rolls the write back', async () => {
        const u = await user(store, tenantId, { userName: 'computed', title: 'A' });
        await store.update(tenantId, {
          resourceType: 'User',
          id: u.id,
          change: () => ({ doc: { userName: 'computed', title: 'B' }, now: T1 }),
        });
        const seen: unknown[] = [];
        const written = await store.update(tenantId, {
          resourceType: 'User',
          id: u.id,
          change: (current) => {
            seen.push([current.version, current.doc]);
            return { doc: { ...current.doc, nickName: 'n' }, now: T2 };
          },
        });
        assert.deepEqual(seen, [[2, { userName: 'computed', title: 'B' }]]);
        assert.equal(written.resource.version, 3);
        assert.deepEqual(written.resource.doc, { userName: 'computed', title: 'B', nickName: 'n' });
        assert.deepEqual((await store.get(tenantId, 'User', u.id, {}))?.doc, { userName: 'computed', title: 'B', nickName: 'n' });
        const unchanged = await store.update(tenantId, { resourceType: 'User', id: u.id, change: () => undefined });
        assert.equal(unchanged.resource.version, 3, 'a change of nothing writes nothing');

        // A group's change sees what it includes (members); what it throws rolls the write back.
        const g = await group(store, tenantId, 'computed-group', [u.id]);
        await assert.rejects(
          store.update(tenantId, {
            resourceType: 'Group',
            id: g.id,
            include: { members: true },
            change: (current) => {
              assert.deepEqual(
                current.members?.map((m) => m.value),
                [u.id],
              );
              throw new VersionConflictError('stale If-Match');
            },
          }),
          (e) => e instanceof VersionConflictError && e.detail === 'stale If-Match',
        );
        const kept = await store.get(tenantId, 'Group', g.id, { members: true });
        assert.equal(kept?.version, 1);
        assert.deepEqual(
          kept?.members?.map((m) => m.value),
          [u.id],
        );
      });

      it('an update answers the resource as written: a user with its groups as read, a group with its members after the write', async () => {
        const u = await user(store, tenantId, { userName: 'answered' });
        const other = await user(store, tenantId, { userName: 'answered-2' });
        const g = await group(store, tenantId, 'answered-group', [u.id]);
        const renamed = await store.update(tenantId, {
          resourceType: 'User',
          id: u.id,
          include: { groups: true },
          change: () => ({ doc: { userName: 'answered', title: 'T' }, now: T1 }),
        });
        assert.deepEqual(renamed.resource.doc, { userName: 'answered', title: 'T' });
        assert.deepEqual(
          renamed.resource.groups?.map((r) => r.value),
          [g.id],
        );
        const grown = await store.update(tenantId, {
          resourceType: 'Group',
          id: g.id,
          include: { members: true },
          change: () => ({ memberOps: [{ kind: 'add', members: [{ value: other.id }] }], now: T1 }),
        });
        assert.deepEqual(
          grown.resource.members?.map((m) => [m.value, m.display]),
          [
            [u.id, 'answered'],
            [other.id, 'answered-2'],
          ],
        );
        assert.equal(grown.resource.version, 2);
      });

      it('holds userName unique per tenant case-insensitively (409 uniqueness), also on update', async () => {
        await user(store, tenantId, { userName: 'Unique.Person' });
        await assert.rejects(user(store, tenantId, { userName: 'unique.PERSON' }), isScim(409, 'uniqueness', /userName/));
        const other = await user(store, tenantId, { userName: 'someone.else' });
        await assert.rejects(
          store.update(tenantId, { resourceType: 'User', id: other.id, change: () => ({ doc: { userName: 'UNIQUE.person' }, now: T1 }) }),
          isScim(409, 'uniqueness'),
        );
        // A failed write leaves nothing behind.
        assert.deepEqual(await names(tenantId, 'User', f.cmp('User', 'userName', 'eq', 'unique.person')), ['Unique.Person']);
      });

      it('rfc7643 §8.7.1 group displayName is not unique: two groups may share one, in any case', async () => {
        await group(store, tenantId, 'Engineering');
        await group(store, tenantId, 'ENGINEERING');
        assert.deepEqual(await names(tenantId, 'Group', f.cmp('Group', 'displayName', 'eq', 'engineering')), [
          'Engineering',
          'ENGINEERING',
        ]);
        // A user's displayName is not a group name and is not unique.
        await user(store, tenantId, { userName: 'eng1', displayName: 'Engineering' });
        await user(store, tenantId, { userName: 'eng2', displayName: 'Engineering' });
      });

      it('uniqueName: a group displayName another group holds (any case, one created without it too) is 409, a rename as well', async () => {
        const unique = (displayName: string) =>
          store.create(tenantId, { resourceType: 'Group', id: randomUUID(), doc: { displayName }, now: T0, uniqueName: true });
        await group(store, tenantId, 'Sales');
        await assert.rejects(unique('SALES'), isScim(409, 'uniqueness', /displayName "SALES" is already in use/));
        const other = (await unique('Marketing')).resource;
        await assert.rejects(
          store.update(tenantId, {
            resourceType: 'Group',
            id: other.id,
            change: () => ({ doc: { displayName: 'sales' }, now: T1, uniqueName: true }),
          }),
          isScim(409, 'uniqueness'),
        );
        // A write that keeps its name is not refused, even when another group took that name before the opt-in.
        const twin = await group(store, tenantId, 'Marketing');
        const kept = await store.update(tenantId, {
          resourceType: 'Group',
          id: twin.id,
          change: () => ({ doc: { displayName: 'Marketing', externalId: 'm' }, now: T1, uniqueName: true }),
        });
        assert.equal(kept.resource.version, 2);
        // A failed write leaves nothing behind.
        assert.deepEqual(await names(tenantId, 'Group', f.cmp('Group', 'displayName', 'eq', 'sales')), ['Sales']);
      });

      it('isolates tenants', async () => {
        const other = await newTenant(store);
        const mine = await user(store, tenantId, { userName: 'isolated' });
        const theirs = await user(store, other, { userName: 'isolated' });
        assert.equal(await store.get(other, 'User', mine.id, {}), undefined);
        await assert.rejects(store.update(other, { resourceType: 'User', id: mine.id, change: () => ({ now: T1 }) }), isScim(404));
        await assert.rejects(store.delete(other, 'User', mine.id), isScim(404));
        assert.deepEqual(await names(other, 'User'), ['isolated']);
        // Another tenant's id is an unknown member: skipped, or refused when the rules say so.
        const created = await store.create(other, {
          resourceType: 'Group',
          id: randomUUID(),
          doc: { displayName: 'g' },
          members: [{ value: mine.id }],
          now: T0,
        });
        assert.deepEqual(created.memberDelta, { added: [], removed: [], skipped: [mine.id] });
        await assert.rejects(
          store.create(other, {
            resourceType: 'Group',
            id: randomUUID(),
            doc: { displayName: 'g2' },
            members: [{ value: mine.id }],
            memberRules: REFUSE,
            now: T0,
          }),
          isScim(400, 'invalidValue'),
        );
        assert.ok(theirs.id !== mine.id);
      });
    });

    describe('memberships', () => {
      let tenantId: string;
      let u: { id: string }[];
      before(async () => {
        tenantId = await newTenant(store);
        u = [];
        for (let i = 0; i < 5; i++)
          u.push(await user(store, tenantId, { userName: `m${i}`, ...(i === 0 ? { displayName: 'Member Zero' } : {}) }));
      });

      it('creates a group with members, returned in insertion order with display names', async () => {
        const g = await store.create(tenantId, {
          resourceType: 'Group',
          id: randomUUID(),
          doc: { displayName: 'G1' },
          members: [{ value: u[2]!.id }, { value: u[0]!.id, type: 'User' }, { value: u[2]!.id }],
          now: T0,
        });
        assert.deepEqual(g.memberDelta, { added: [u[2]!.id, u[0]!.id], removed: [] });
        const got = await store.get(tenantId, 'Group', g.resource.id, { members: true });
        assert.deepEqual(got?.members, [
          { value: u[2]!.id, type: 'User', resourceType: 'User', display: 'm2' },
          { value: u[0]!.id, type: 'User', resourceType: 'User', display: 'Member Zero' },
        ]);
        assert.equal((await store.get(tenantId, 'Group', g.resource.id, {}))?.members, undefined);
        const groups = await store.get(tenantId, 'User', u[0]!.id, { groups: true });
        assert.deepEqual(groups?.groups, [{ value: g.resource.id, type: 'direct', resourceType: 'Group', display: 'G1' }]);
      });

      it("a user's groups come in the order the groups were created, with get and with a page of users", async () => {
        const later = await group(store, tenantId, 'Zeta', [u[3]!.id]);
        const earlier = await group(store, tenantId, 'Alpha', [u[4]!.id, u[3]!.id]);
        const ref = (g: { id: string }, display: string) => ({ value: g.id, type: 'direct', resourceType: 'Group', display });
        try {
          const got = await store.get(tenantId, 'User', u[3]!.id, { groups: true });
          assert.deepEqual(got?.groups, [ref(later, 'Zeta'), ref(earlier, 'Alpha')]);
          assert.equal((await store.get(tenantId, 'User', u[3]!.id, {}))?.groups, undefined);
          const page = await store.query(tenantId, {
            targets: [{ resourceType: 'User' }],
            descending: false,
            page: { kind: 'index', startIndex: 1, count: 100 },
            include: { groups: true },
          });
          const groupsOf = new Map(page.resources.map((r) => [r.id, r.groups]));
          assert.deepEqual(groupsOf.get(u[3]!.id), [ref(later, 'Zeta'), ref(earlier, 'Alpha')]);
          assert.deepEqual(groupsOf.get(u[4]!.id), [ref(earlier, 'Alpha')]);
          assert.deepEqual(groupsOf.get(u[1]!.id), []);
        } finally {
          await store.delete(tenantId, 'Group', later.id);
          await store.delete(tenantId, 'Group', earlier.id);
        }
      });

      it('applies member operations in order and returns the net delta', async () => {
        const g = await group(store, tenantId, 'G2', [u[0]!.id, u[1]!.id]);
        const r = await store.update(tenantId, {
          resourceType: 'Group',
          id: g.id,
          change: () => ({
            now: T1,
            memberOps: [
              { kind: 'add', members: [{ value: u[1]!.id }, { value: u[2]!.id }] },
              { kind: 'remove', values: [u[0]!.id, 'not-a-member'] },
              { kind: 'add', members: [{ value: u[3]!.id }] },
              { kind: 'remove', values: [u[3]!.id] },
            ],
          }),
        });
        assert.deepEqual(r.memberDelta, { added: [u[2]!.id], removed: [u[0]!.id] });
        assert.equal(r.resource.version, 2);
        const members = (await store.get(tenantId, 'Group', g.id, { members: true }))?.members?.map((m) => m.value);
        assert.deepEqual(members, [u[1]!.id, u[2]!.id]);
        const cleared = await store.update(tenantId, {
          resourceType: 'Group',
          id: g.id,
          change: () => ({ now: T1, memberOps: [{ kind: 'removeAll' }, { kind: 'add', members: [{ value: u[2]!.id }] }] }),
        });
        assert.deepEqual(cleared.memberDelta, { added: [], removed: [u[1]!.id] });
        assert.equal(cleared.resource.version, 3);
        const noop = await store.update(tenantId, {
          resourceType: 'Group',
          id: g.id,
          change: () => ({
            now: T2,
            memberOps: [
              { kind: 'add', members: [{ value: u[2]!.id }] },
              { kind: 'remove', values: [u[0]!.id] },
            ],
          }),
        });
        assert.deepEqual(noop.memberDelta, { added: [], removed: [] });
        assert.equal(noop.resource.version, 3, 'a membership change that changes nothing keeps the version');
        assert.equal(noop.resource.lastModified, T1);
      });

      it('refusing rules: unknown members (all named) and a member type that contradicts the resource are invalidValue, writing nothing', async () => {
        const g = await group(store, tenantId, 'G3', [u[0]!.id]);
        const missing = [randomUUID(), randomUUID()];
        await assert.rejects(
          store.update(tenantId, {
            resourceType: 'Group',
            id: g.id,
            change: () => ({
              now: T1,
              memberRules: REFUSE,
              memberOps: [{ kind: 'add', members: [{ value: u[1]!.id }, { value: missing[0]! }, { value: missing[1]! }] }],
            }),
          }),
          isScim(400, 'invalidValue', new RegExp(`^members "${missing[0]}", "${missing[1]}" do not exist$`)),
        );
        await assert.rejects(
          store.update(tenantId, {
            resourceType: 'Group',
            id: g.id,
            change: () => ({ now: T1, memberRules: REFUSE, memberOps: [{ kind: 'add', members: [{ value: u[1]!.id, type: 'Group' }] }] }),
          }),
          isScim(400, 'invalidValue', /is a User, not a "Group"/),
        );
        const after = await store.get(tenantId, 'Group', g.id, { members: true });
        assert.equal(after?.version, 1);
        assert.deepEqual(
          after?.members?.map((m) => m.value),
          [u[0]!.id],
        );
      });

      it('lenient rules (the default): unknown members are skipped and reported, a wrong type is recorded as the true one', async () => {
        const g = await group(store, tenantId, 'G3b', [u[0]!.id]);
        const missing = randomUUID();
        const written = await store.update(tenantId, {
          resourceType: 'Group',
          id: g.id,
          change: () => ({
            now: T1,
            memberOps: [{ kind: 'add', members: [{ value: missing }, { value: u[1]!.id, type: 'Group' }, { value: missing }] }],
          }),
        });
        assert.deepEqual(written.memberDelta, { added: [u[1]!.id], removed: [], skipped: [missing] });
        const after = await store.get(tenantId, 'Group', g.id, { members: true });
        assert.equal(after?.version, 2);
        assert.deepEqual(
          after?.members?.map((m) => [m.value, m.type]),
          [
            [u[0]!.id, 'User'],
            [u[1]!.id, 'User'],
          ],
        );
        // Only unknown ids: nothing changes, the version stays, the skip is still reported.
        const none = await store.update(tenantId, {
          resourceType: 'Group',
          id: g.id,
          change: () => ({ now: T1, memberOps: [{ kind: 'add', members: [{ value: missing }] }] }),
        });
        assert.equal(none.resource.version, 2);
        assert.deepEqual(none.memberDelta, { added: [], removed: [], skipped: [missing] });
      });

      it('deleting a user removes its memberships; deleting a group frees its members', async () => {
        const doomed = await user(store, tenantId, { userName: 'doomed' });
        const g = await group(store, tenantId, 'G4', [doomed.id, u[4]!.id]);
        await store.delete(tenantId, 'User', doomed.id);
        assert.deepEqual(
          (await store.get(tenantId, 'Group', g.id, { members: true }))?.members?.map((m) => m.value),
          [u[4]!.id],
        );
        await store.delete(tenantId, 'Group', g.id);
        assert.deepEqual((await store.get(tenantId, 'User', u[4]!.id, { groups: true }))?.groups, []);
      });
    });

    nestedGroupsContract(
      () => store,
      () => sibling,
    );

    describe('transactional outbox (docs/events.md)', () => {
      const ev = (type: string, id = randomUUID()): NewEvent => ({
        id,
        type,
        subject: `Users/${id}`,
        source: 'https://scim.example.com/scim/v2',
        time: T1,
        data: { n: type },
      });

      it("appends the builder's events in the write's transaction with gapless per-tenant sequences", async () => {
        const tenant = await newTenant(store);
        const other = await newTenant(store);
        const id = randomUUID();
        await store.create(tenant, {
          resourceType: 'User',
          id,
          doc: { userName: 'ob1' },
          now: T1,
          events: (r) => [ev(`c:${r.resource.version}`), ev('c2')],
        });
        await store.create(other, { resourceType: 'User', id: randomUUID(), doc: { userName: 'ob1' }, now: T1, events: () => [ev('o')] });
        await store.update(tenant, {
          resourceType: 'User',
          id,
          change: () => ({ doc: { userName: 'ob1', title: 'x' }, now: T2, events: (r) => [ev(`u:${r.resource.version}`)] }),
        });
        await store.delete(tenant, 'User', id, undefined, (d) => [ev(`d:${String(d.doc['userName'])}`)]);
        const events = await store.readEvents(tenant, 0, 100);
        assert.deepEqual(
          events.map((e) => [e.sequence, e.type]),
          [
            [1, 'c:1'],
            [2, 'c2'],
            [3, 'u:2'],
            [4, 'd:ob1'],
          ],
        );
        assert.deepEqual(events[0]!.data, { n: 'c:1' });
        assert.equal(events[0]!.tenantId, tenant);
        assert.match(events[0]!.tenantName, /^t-/);
        assert.equal(events[0]!.time, T1);
        assert.deepEqual(
          (await store.readEvents(other, 0, 100)).map((e) => e.sequence),
          [1],
        );
        assert.deepEqual(
          (await store.readEvents(tenant, 2, 1)).map((e) => e.sequence),
          [3],
        );
      });

      it('createMany: one transaction, a savepoint per command; a failed command leaves no row and no event, the others keep theirs', async () => {
        const tenant = await newTenant(store);
        await user(store, tenant, { userName: 'taken' });
        const create = (userName: string, type: ResourceTypeName = 'User', members?: string[]) => ({
          resourceType: type,
          id: randomUUID(),
          doc: type === 'User' ? { userName } : { displayName: userName },
          ...(members ? { members: members.map((value) => ({ value })) } : {}),
          now: T1,
          events: () => [ev(`created:${userName}`), ev(`second:${userName}`)],
        });
        const commands = [
          create('cm1'),
          create('TAKEN'),
          { ...create('cm-group', 'Group', ['no-such-user']), memberRules: REFUSE },
          create('cm2'),
        ];
        const results = await store.createMany(tenant, commands);
        assert.equal(results.length, 4);
        assert.equal((results[0] as { resource: { id: string } }).resource.id, commands[0]!.id);
        isScim(409, 'uniqueness')(results[1]);
        isScim(400, 'invalidValue')(results[2]);
        assert.equal((results[3] as { resource: { version: number } }).resource.version, 1);
        assert.deepEqual(await names(tenant, 'User', undefined, 'userName'), ['cm1', 'cm2', 'taken']);
        assert.deepEqual(await names(tenant, 'Group'), []);
        const events = await store.readEvents(tenant, 0, 100);
        assert.deepEqual(
          events.map((e) => [e.sequence, e.type]),
          [
            [1, 'created:cm1'],
            [2, 'second:cm1'],
            [3, 'created:cm2'],
            [4, 'second:cm2'],
          ],
        );
      });

      it('createMany stops after maxFailures failed commands, and any other error rolls the whole batch back', async () => {
        const tenant = await newTenant(store);
        const command = (userName: string) => ({
          resourceType: 'User' as const,
          id: randomUUID(),
          doc: { userName },
          now: T1,
          events: () => [ev(userName)],
        });
        const stopped = await store.createMany(tenant, [command('mf1'), command('MF1'), command('mf2')], 1);
        assert.equal(stopped.length, 2);
        isScim(409, 'uniqueness')(stopped[1]);
        assert.deepEqual(await names(tenant, 'User'), ['mf1']);
        const broken = {
          ...command('mf3'),
          events: () => {
            throw new Error('boom');
          },
        };
        await assert.rejects(store.createMany(tenant, [command('mf4'), broken]), /boom/);
        assert.deepEqual(await names(tenant, 'User'), ['mf1']);
        assert.deepEqual(
          (await store.readEvents(tenant, 0, 100)).map((e) => [e.sequence, e.type]),
          [[1, 'mf1']],
        );
      });

      it('a write that fails or whose builder throws appends nothing and changes nothing; a no-op update does not call the builder', async () => {
        const tenant = await newTenant(store);
        const u = await user(store, tenant, { userName: 'ob2' });
        await assert.rejects(
          store.create(tenant, { resourceType: 'User', id: randomUUID(), doc: { userName: 'OB2' }, now: T1, events: () => [ev('dup')] }),
          isScim(409, 'uniqueness'),
        );
        await assert.rejects(
          store.update(tenant, {
            resourceType: 'User',
            id: u.id,
            change: () => {
              throw new VersionConflictError('stale If-Match');
            },
          }),
          VersionConflictError,
        );
        await assert.rejects(
          store.update(tenant, {
            resourceType: 'User',
            id: u.id,
            change: () => ({
              doc: { userName: 'ob2', title: 'y' },
              now: T1,
              events: () => {
                throw new Error('boom');
              },
            }),
          }),
          /boom/,
        );
        assert.equal((await store.get(tenant, 'User', u.id, {}))!.version, 1, 'the write rolled back with its builder');
        const g = await group(store, tenant, 'obg', [u.id]);
        let called = false;
        const noop = await store.update(tenant, {
          resourceType: 'Group',
          id: g.id,
          change: () => ({
            memberOps: [{ kind: 'add', members: [{ value: u.id }] }],
            now: T2,
            events: () => {
              called = true;
              return [ev('noop')];
            },
          }),
        });
        assert.equal(noop.resource.version, 1);
        assert.equal(called, false);
        assert.deepEqual(await store.readEvents(tenant, 0, 100), []);
      });

      it('writes asked for at once commit or fail each on its own (SQLite commits them as one group): a refused one and one whose builder throws leave the others and their events', async () => {
        const tenant = await newTenant(store);
        const existing = await user(store, tenant, { userName: 'gc-existing' });
        const create = (userName: string, events: () => NewEvent[] = () => [ev(`created:${userName}`)]) =>
          store.create(tenant, { resourceType: 'User', id: randomUUID(), doc: { userName }, now: T1, events });
        // Not awaited one by one: on SQLite they land in one batch (src/store/sqlite/group-commit.ts).
        const outcomes = await Promise.allSettled([
          create('gc1'),
          create('GC-EXISTING'),
          create('gc2', () => {
            throw new Error('boom');
          }),
          store.update(tenant, {
            resourceType: 'User',
            id: existing.id,
            change: () => ({ doc: { userName: 'gc-existing', title: 'patched' }, now: T2, events: () => [ev('updated:gc-existing')] }),
          }),
          store.update(tenant, { resourceType: 'User', id: randomUUID(), change: () => ({ doc: { userName: 'nobody' }, now: T2 }) }),
          create('gc3'),
        ]);
        assert.deepEqual(
          outcomes.map((o) => o.status),
          ['fulfilled', 'rejected', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
        );
        isScim(409, 'uniqueness')((outcomes[1] as PromiseRejectedResult).reason);
        assert.match(String((outcomes[2] as PromiseRejectedResult).reason), /boom/);
        isScim(404)((outcomes[4] as PromiseRejectedResult).reason);
        assert.deepEqual(await names(tenant, 'User', undefined, 'userName'), ['gc-existing', 'gc1', 'gc3']);
        assert.equal((await store.get(tenant, 'User', existing.id, {}))!.doc['title'], 'patched');
        const events = await store.readEvents(tenant, 0, 100);
        assert.deepEqual(
          events.map((e) => e.sequence),
          [1, 2, 3],
        );
        assert.deepEqual(events.map((e) => e.type).sort(), ['created:gc1', 'created:gc3', 'updated:gc-existing']);
      });

      it('delivery cursors per sink and tenant: pending, monotonic markDelivered, stats, pruning', async () => {
        const tenant = await newTenant(store);
        const sink = `sink-${randomUUID()}`;
        for (let i = 0; i < 5; i++) await user(store, tenant, { userName: `ob3-${i}` }).then(() => undefined);
        await store.create(tenant, {
          resourceType: 'User',
          id: randomUUID(),
          doc: { userName: 'ob3-x' },
          now: T1,
          events: () => [ev('a'), ev('b'), ev('c')],
        });
        const pending = (await store.pendingEvents(sink, 1000)).filter((e) => e.tenantId === tenant);
        assert.deepEqual(
          pending.map((e) => e.sequence),
          [1, 2, 3],
        );
        await store.markDelivered(sink, tenant, 2);
        await store.markDelivered(sink, tenant, 1);
        assert.deepEqual(
          (await store.pendingEvents(sink, 1000)).filter((e) => e.tenantId === tenant).map((e) => e.sequence),
          [3],
        );
        const stats = await store.outboxStats([sink]);
        assert.ok(stats.depth >= 3);
        assert.ok(stats.sinks[0]!.pending >= 1);
        assert.equal(await store.pruneEvents([sink], T0), 0, 'nothing is older than the retention');
        const pruned = await store.pruneEvents([sink], T2);
        assert.ok(pruned >= 2);
        assert.deepEqual(
          (await store.readEvents(tenant, 0, 100)).map((e) => e.sequence),
          [3],
          'undelivered events stay',
        );
        await store.create(tenant, {
          resourceType: 'User',
          id: randomUUID(),
          doc: { userName: 'ob3-y' },
          now: T1,
          events: () => [ev('d')],
        });
        assert.deepEqual(
          (await store.readEvents(tenant, 0, 100)).map((e) => e.sequence),
          [3, 4],
          'sequences never restart after pruning',
        );
      });

      it('leases per (sink, tenant): one owner at a time, renewed, released, taken over once expired', async () => {
        const tenant = await newTenant(store);
        const sink = `lease-${randomUUID()}`;
        await store.create(tenant, {
          resourceType: 'User',
          id: randomUUID(),
          doc: { userName: 'ls1' },
          now: T1,
          events: () => [ev('a'), ev('b')],
        });
        const mine = (records: readonly { tenantId: string; sequence: number }[]) =>
          records.filter((e) => e.tenantId === tenant).map((e) => e.sequence);
        assert.deepEqual(mine(await store.claimEvents(sink, 'A', 1000, 60_000)), [1, 2]);
        assert.deepEqual(mine(await sibling.claimEvents(sink, 'B', 1000, 60_000)), [], 'held by A');
        assert.deepEqual(mine(await store.claimEvents(sink, 'A', 1000, 60_000)), [1, 2], 'A claims its own again');
        assert.deepEqual(await store.renewLeases(sink, 'A', [tenant], 60_000), [tenant]);
        assert.deepEqual(await sibling.renewLeases(sink, 'B', [tenant], 60_000), [], 'B holds nothing');
        await store.markDelivered(sink, tenant, 1);
        await store.releaseLeases(sink, 'A');
        // A short lease, yet long enough that a loaded machine (CI, 2 cores) cannot let it lapse
        // between two statements.
        assert.deepEqual(mine(await sibling.claimEvents(sink, 'B', 1000, 1500)), [2], 'released: B takes over from the cursor');
        assert.deepEqual(mine(await store.claimEvents(sink, 'A', 1000, 60_000)), [], 'B holds it');
        await new Promise((r) => setTimeout(r, 1700));
        assert.deepEqual(mine(await store.claimEvents(sink, 'A', 1000, 60_000)), [2], "B's lease expired: A takes it");
        assert.deepEqual(await sibling.renewLeases(sink, 'B', [tenant], 60_000), [], 'B learns it lost the lease');
        await store.markDelivered(sink, tenant, 2);
        assert.deepEqual(mine(await store.claimEvents(sink, 'A', 1000, 60_000)), [], 'nothing pending');
        assert.deepEqual(mine(await store.claimEvents(`${sink}-other`, 'B', 1000, 60_000)), [1, 2], 'leases are per sink');
      });

      it('two relays, one sink: every event delivered exactly once, in per-tenant order', async () => {
        const names = [0, 1, 2].map((i) => `rr${i}-${randomUUID()}`);
        const tenants = await Promise.all(names.map((n) => newTenant(store, n)));
        const sink = sharedSink(`mem://shared-${randomUUID()}`);
        const relays = [
          new Relay({ store, sinks: [sink.publisher('A')], pollMs: 5, wakeDelayMs: 1, batchSize: 7, owner: 'A' }),
          new Relay({ store: sibling, sinks: [sink.publisher('B')], pollMs: 5, wakeDelayMs: 1, batchSize: 7, owner: 'B' }),
        ];
        relays.forEach((r) => r.start());
        const perTenant = 40;
        const ours = () => sink.received.filter((r) => names.includes(r.event.tenant));
        try {
          await Promise.all(
            tenants.map(async (tenant, t) => {
              for (let i = 0; i < perTenant; i++) {
                const writer = i % 2 === 0 ? store : sibling;
                await writer.create(tenant, {
                  resourceType: 'User',
                  id: randomUUID(),
                  doc: { userName: `rr${t}-${i}` },
                  now: T1,
                  events: () => [ev('x')],
                });
                relays[i % 2]!.wake();
              }
            }),
          );
          await eventually(() => ours().length >= tenants.length * perTenant, 'every event relayed');
          await new Promise((r) => setTimeout(r, 30));
          const got = ours();
          assert.equal(got.length, tenants.length * perTenant, 'no duplicates');
          assert.equal(new Set(got.map((r) => r.event.id)).size, got.length, 'no id twice');
          for (const name of names) {
            const seqs = got.filter((r) => r.event.tenant === name).map((r) => sequenceOf(r.event));
            assert.deepEqual(
              seqs,
              Array.from({ length: perTenant }, (_, i) => i + 1),
              'in order, none lost',
            );
          }
        } finally {
          await Promise.all(relays.map((r) => r.stop()));
        }
      });

      it('a relay that dies mid-lease: the other takes over once the lease expires; only then duplicates, same ids', async () => {
        const name = `to-${randomUUID()}`;
        const tenant = await newTenant(store, name);
        const sink = sharedSink(`mem://takeover-${randomUUID()}`);
        const ours = () => sink.received.filter((r) => r.event.tenant === name);
        for (let i = 0; i < 10; i++) {
          await store.create(tenant, {
            resourceType: 'User',
            id: randomUUID(),
            doc: { userName: `to-${i}` },
            now: T1,
            events: () => [ev('y')],
          });
        }
        const frozen = freezable(store);
        // A publishes this tenant's batch, then freezes before it can mark it delivered.
        const freeze = async (events: readonly CloudEvent[]) => {
          if (events[0]?.tenant === name) frozen.kill();
        };
        const a = new Relay({
          store: frozen.store,
          sinks: [sink.publisher('A', freeze)],
          pollMs: 5,
          leaseMs: 600,
          owner: `A-${randomUUID()}`,
        });
        a.start();
        await eventually(() => ours().length >= 10, 'A publishes');
        const killedAt = Date.now();
        const b = new Relay({ store: sibling, sinks: [sink.publisher('B')], pollMs: 5, leaseMs: 600, owner: `B-${randomUUID()}` });
        b.start();
        try {
          await eventually(() => ours().some((r) => r.by === 'B'), 'B takes over');
          assert.ok(Date.now() - killedAt >= 300, "B waited for A's lease to expire");
          await eventually(() => ours().length >= 20, 'B redelivers');
          await store.create(tenant, {
            resourceType: 'User',
            id: randomUUID(),
            doc: { userName: 'to-late' },
            now: T1,
            events: () => [ev('z')],
          });
          b.wake();
          await eventually(() => ours().length >= 21, 'B delivers the new event');
          await new Promise((r) => setTimeout(r, 30));
          const byA = ours()
            .filter((r) => r.by === 'A')
            .map((r) => r.event);
          const byB = ours()
            .filter((r) => r.by === 'B')
            .map((r) => r.event);
          assert.deepEqual(
            byA.map((e) => sequenceOf(e)),
            Array.from({ length: 10 }, (_, i) => i + 1),
          );
          assert.deepEqual(
            byB.map((e) => sequenceOf(e)),
            Array.from({ length: 11 }, (_, i) => i + 1),
            'B resumes from the cursor: 1–10 again, then 11, once',
          );
          assert.deepEqual(
            byB.slice(0, 10).map((e) => e.id),
            byA.map((e) => e.id),
            'a redelivery carries the same ids',
          );
        } finally {
          await b.stop();
          // A frozen relay's stop() never resolves (its round waits forever); it ends its timers.
          void a.stop();
        }
      });
    });

    describe('RFC 7644 §3.4.2.2 filtering (docs/filtering.md)', () => {
      let tenantId: string;
      const ids: Record<string, string> = {};
      before(async () => {
        tenantId = await newTenant(store);
        const add = async (doc: Record<string, unknown>, now = T0) => {
          ids[String(doc['userName'])] = (await user(store, tenantId, doc, now)).id;
        };
        await add({
          userName: 'bjensen',
          displayName: 'Babs Jensen',
          externalId: 'ext-1',
          active: true,
          title: 'Tour Guide',
          name: { givenName: 'Barbara', familyName: 'Jensen' },
          emails: [
            { value: 'bjensen@example.com', type: 'work', primary: true },
            { value: 'babs@home.org', type: 'home' },
          ],
          [ENT]: { department: 'Sales', employeeNumber: '701984' },
        });
        await add({ userName: 'JSmith', active: false, title: '', emails: [{ value: 'john@EXAMPLE.com', type: 'work' }] }, T1);
        await add({ userName: 'alice_100%', nickName: 'back\\slash', [ENT]: { department: 'Engineering' } }, T1);
        await add({ userName: "O'Brien", title: null, emails: [], name: {}, [ENT]: {} }, T1);
        ids['Admins'] = (await group(store, tenantId, 'Admins', [ids['bjensen']!, ids['JSmith']!])).id;
        ids['Everyone'] = (await group(store, tenantId, 'Everyone', [ids['alice_100%']!])).id;
        await group(store, tenantId, 'Empty');
      });

      const users = (filter: ResolvedFilter) => names(tenantId, 'User', filter, 'userName');
      const U = (path: string, op: Parameters<typeof f.cmp>[2], value: Parameters<typeof f.cmp>[3]) => f.cmp('User', path, op, value);
      const everyone = ['alice_100%', 'bjensen', 'JSmith', "O'Brien"];

      const cases: [string, () => ResolvedFilter, string[]][] = [
        ['userName eq folds case', () => U('userName', 'eq', 'BJENSEN'), ['bjensen']],
        ['userName ne', () => U('userName', 'ne', 'bjensen'), ['alice_100%', 'JSmith', "O'Brien"]],
        ['userName co', () => U('userName', 'co', 'SMI'), ['JSmith']],
        ['userName sw', () => U('userName', 'sw', 'j'), ['JSmith']],
        ['userName ew', () => U('userName', 'ew', 'SEN'), ['bjensen']],
        ['userName gt orders folded strings', () => U('userName', 'gt', 'j'), ['JSmith', "O'Brien"]],
        ['userName le', () => U('userName', 'le', 'bjensen'), ['alice_100%', 'bjensen']],
        ['userName sw "" matches every present value', () => U('userName', 'sw', ''), everyone],
        ['co "%" is literal', () => U('userName', 'co', '%'), ['alice_100%']],
        ['co "_" is literal', () => U('userName', 'co', '_'), ['alice_100%']],
        ['sw "a_" is literal', () => U('userName', 'sw', 'a_'), []],
        ['ew "0%" is literal', () => U('userName', 'ew', '0%'), ['alice_100%']],
        ['co a backslash', () => U('nickName', 'co', '\\'), ['alice_100%']],
        ['externalId is caseExact', () => U('externalId', 'eq', 'EXT-1'), []],
        ['externalId eq', () => U('externalId', 'eq', 'ext-1'), ['bjensen']],
        ['id eq', () => U('id', 'eq', ids['JSmith']!), ['JSmith']],
        ['pr: "" and null are not present', () => f.pr('User', 'title'), ['bjensen']],
        ['eq null is not present', () => U('title', 'eq', null), ['alice_100%', 'JSmith', "O'Brien"]],
        ['ne null is present', () => U('title', 'ne', null), ['bjensen']],
        ['ne on an absent value is true', () => U('title', 'ne', 'Tour Guide'), ['alice_100%', 'JSmith', "O'Brien"]],
        ['eq "" matches the empty string only', () => U('title', 'eq', ''), ['JSmith']],
        ['not is plain negation (no NULL leaks)', () => f.not(U('title', 'eq', 'Tour Guide')), ['alice_100%', 'JSmith', "O'Brien"]],
        ['not of an absent comparison', () => f.not(U('title', 'co', 'x')), everyone],
        ['boolean eq true', () => U('active', 'eq', true), ['bjensen']],
        ['boolean eq false', () => U('active', 'eq', false), ['JSmith']],
        ['boolean ne true includes absent', () => U('active', 'ne', true), ['alice_100%', 'JSmith', "O'Brien"]],
        ['"True" string as boolean', () => U('active', 'eq', 'True'), ['bjensen']],
        ['multi-valued sub-attribute is existential', () => U('emails.value', 'eq', 'JOHN@example.com'), ['JSmith']],
        ['a complex attribute compares its value', () => U('emails', 'eq', 'babs@home.org'), ['bjensen']],
        ['multi-valued co', () => U('emails.value', 'co', 'example.COM'), ['bjensen', 'JSmith']],
        ['multi-valued ne needs an element', () => U('emails.value', 'ne', 'bjensen@example.com'), ['bjensen', 'JSmith']],
        ['not of multi-valued eq', () => f.not(U('emails.value', 'eq', 'bjensen@example.com')), ['alice_100%', 'JSmith', "O'Brien"]],
        ['multi-valued pr: [] is not present', () => f.pr('User', 'emails'), ['bjensen', 'JSmith']],
        ['multi-valued sub pr', () => f.pr('User', 'emails.type'), ['bjensen', 'JSmith']],
        ['multi-valued boolean sub-attribute', () => U('emails.primary', 'eq', true), ['bjensen']],
        ['emails.type eq null', () => U('emails.type', 'eq', null), ['alice_100%', "O'Brien"]],
        [
          'value path: one element satisfies the whole filter',
          () => f.valuePath('User', 'emails', (s) => f.and(s('type', 'eq', 'work'), s('value', 'co', 'example.com'))),
          ['bjensen', 'JSmith'],
        ],
        [
          'value path: no element satisfies both',
          () => f.valuePath('User', 'emails', (s) => f.and(s('type', 'eq', 'home'), s('value', 'co', 'example.com'))),
          [],
        ],
        [
          'value path with not and primary',
          () => f.valuePath('User', 'emails', (s) => f.and(s('type', 'eq', 'work'), f.not(s('primary', 'eq', true)))),
          ['JSmith'],
        ],
        [
          'value path with or',
          () => f.valuePath('User', 'emails', (s) => f.or(s('type', 'eq', 'home'), s('value', 'sw', 'john'))),
          ['bjensen', 'JSmith'],
        ],
        ['value path with pr', () => f.valuePath('User', 'emails', (_s, p) => p('primary')), ['bjensen']],
        ['complex sub-attribute', () => U('name.givenName', 'sw', 'BAR'), ['bjensen']],
        ['complex pr needs a present sub-attribute', () => f.pr('User', 'name'), ['bjensen']],
        ['extension attribute (URN path)', () => U(`${ENT}:department`, 'eq', 'sales'), ['bjensen']],
        ['extension attribute ne', () => U(`${ENT}:department`, 'ne', 'sales'), ['alice_100%', 'JSmith', "O'Brien"]],
        ['schemas: core always', () => U('schemas', 'eq', USER_SCHEMA_ID), everyone],
        ['schemas: extension when non-empty', () => U('schemas', 'eq', ENT), ['alice_100%', 'bjensen']],
        ['schemas is caseExact', () => U('schemas', 'eq', ENT.toUpperCase()), []],
        ['meta.resourceType', () => U('meta.resourceType', 'eq', 'User'), everyone],
        [
          'meta.created gt compares instants',
          () => U('meta.created', 'gt', '2024-01-01T01:00:00+02:00'),
          ['bjensen', 'JSmith', 'alice_100%', "O'Brien"].filter((n) => n !== 'x'),
        ],
        ['meta.created eq in another offset', () => U('meta.created', 'eq', '2024-01-01T02:00:00.000+02:00'), ['bjensen']],
        ['meta.lastModified ge', () => U('meta.lastModified', 'ge', T1), ['alice_100%', 'JSmith', "O'Brien"]],
        ['meta.version', () => U('meta.version', 'eq', 'W/"1"'), everyone],
        ['groups.value from memberships', () => U('groups.value', 'eq', ids['Admins']!), ['bjensen', 'JSmith']],
        ['groups.display folds case', () => U('groups.display', 'eq', 'everyone'), ['alice_100%']],
        ['groups.type is direct', () => U('groups.type', 'eq', 'direct'), ['alice_100%', 'bjensen', 'JSmith']],
        ['groups pr', () => f.pr('User', 'groups'), ['alice_100%', 'bjensen', 'JSmith']],
        ['and binds both', () => f.and(U('active', 'eq', true), U('emails.type', 'eq', 'work')), ['bjensen']],
        ['or', () => f.or(U('userName', 'eq', 'jsmith'), U(`${ENT}:department`, 'eq', 'engineering')), ['alice_100%', 'JSmith']],
        ['userName eq with a quote', () => U('userName', 'eq', "o'brien"), ["O'Brien"]],
      ];
      for (const [title, filter, expected] of cases) {
        it(title, async () => {
          const sortedExpected = [...expected].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
          assert.deepEqual(await users(filter()), sortedExpected);
        });
      }

      it('filters groups by members and displayName', async () => {
        const G = (filter: ResolvedFilter) => names(tenantId, 'Group', filter, 'displayName');
        assert.deepEqual(await G(f.cmp('Group', 'members.value', 'eq', ids['bjensen']!)), ['Admins']);
        assert.deepEqual(
          await G(f.valuePath('Group', 'members', (s) => f.and(s('value', 'eq', ids['alice_100%']!), s('type', 'eq', 'user')))),
          ['Everyone'],
        );
        assert.deepEqual(await G(f.pr('Group', 'members')), ['Admins', 'Everyone']);
        assert.deepEqual(await G(f.not(f.pr('Group', 'members'))), ['Empty']);
        assert.deepEqual(await G(f.cmp('Group', 'members.display', 'eq', 'Babs Jensen')), ['Admins']);
        assert.deepEqual(await G(f.cmp('Group', 'displayName', 'eq', 'ADMINS')), ['Admins']);
        assert.deepEqual(await G(f.cmp('Group', 'schemas', 'eq', GROUP_SCHEMA_ID)), ['Admins', 'Empty', 'Everyone']);
      });

      it('refuses operators that do not apply with invalidFilter', async () => {
        await assert.rejects(users(U('active', 'gt', true)), isScim(400, 'invalidFilter'));
        await assert.rejects(users(U('meta.created', 'co', T0)), isScim(400, 'invalidFilter'));
        await assert.rejects(users(U('meta.location', 'eq', 'x')), isScim(400, 'invalidFilter'));
      });

      it('a root search covers several resource types', async () => {
        const result = await store.query(tenantId, {
          targets: [
            { resourceType: 'User', filter: U('userName', 'sw', 'b'), sortBy: f.attr('User', 'userName') },
            { resourceType: 'Group', filter: f.cmp('Group', 'displayName', 'sw', 'e'), sortBy: f.attr('Group', 'displayName') },
          ],
          descending: false,
          page: all,
          include: {},
        });
        assert.deepEqual(
          result.resources.map((r) => `${r.resourceType}:${r.id}`),
          [`User:${ids['bjensen']}`, `Group:${result.resources[1]!.id}`, `Group:${ids['Everyone']}`],
        );
        assert.equal(result.totalResults, 3);
      });
    });

    describe('sql-injection', () => {
      let tenantId: string;
      const nasty = ["x' OR 1=1 --", "'); DROP TABLE resources; --", '%', '_', '\\', '"', "\\' OR ''='"];
      before(async () => {
        tenantId = await newTenant(store);
        await user(store, tenantId, { userName: 'plain', title: 'plain' });
        for (const [i, value] of nasty.entries()) await user(store, tenantId, { userName: `n${i}`, title: value });
      });

      for (const [i, value] of nasty.entries()) {
        it(`value ${JSON.stringify(value)} is only ever data`, async () => {
          assert.deepEqual(await names(tenantId, 'User', f.cmp('User', 'title', 'eq', value)), [`n${i}`]);
          assert.deepEqual(await names(tenantId, 'User', f.cmp('User', 'userName', 'eq', value)), []);
          const co = await names(tenantId, 'User', f.cmp('User', 'title', 'co', value));
          assert.ok(co.includes(`n${i}`) && !co.includes('plain'));
        });
      }

      it('a sortBy path that cannot be a JSON path label is refused, not spliced', async () => {
        const title = f.attr('User', 'title');
        const forged: ResolvedAttribute = {
          ...title,
          isExtension: true,
          schema: 'urn:x',
          jsonPath: ['urn:x', `a"); DROP TABLE resources; --`],
        };
        await assert.rejects(
          store.query(tenantId, { targets: [{ resourceType: 'User', sortBy: forged }], descending: false, page: all, include: {} }),
        );
        const quoted: ResolvedAttribute = { ...title, isExtension: true, schema: 'urn:x', jsonPath: ['urn:x', "it's"] };
        const result = await store.query(tenantId, {
          targets: [{ resourceType: 'User', sortBy: quoted }],
          descending: false,
          page: all,
          include: {},
        });
        assert.equal(result.totalResults, nasty.length + 1);
      });
    });

    describe('RFC 7644 §3.4.2.3 sorting and §3.4.2.4 paging', () => {
      let tenantId: string;
      before(async () => {
        tenantId = await newTenant(store);
        const titles = ['b', 'A', undefined, 'a', 'c', undefined, 'B'];
        for (const [i, title] of titles.entries())
          await user(store, tenantId, { userName: `s${i}`, ...(title !== undefined ? { title } : {}) });
      });

      it('sorts folded, ties by insertion, absent last ascending and first descending', async () => {
        assert.deepEqual(await names(tenantId, 'User', undefined, 'title'), ['s1', 's3', 's0', 's6', 's4', 's2', 's5']);
        assert.deepEqual(await names(tenantId, 'User', undefined, 'title', true), ['s5', 's2', 's4', 's6', 's0', 's3', 's1']);
        assert.deepEqual(await names(tenantId, 'User', undefined, 'userName', true), ['s6', 's5', 's4', 's3', 's2', 's1', 's0']);
        assert.deepEqual(await names(tenantId, 'User'), ['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
      });

      it('pages by index (1-based startIndex, count, totalResults)', async () => {
        const page = async (startIndex: number, count: number) =>
          store.query(tenantId, {
            targets: [{ resourceType: 'User', sortBy: f.attr('User', 'userName') }],
            descending: false,
            page: { kind: 'index', startIndex, count },
            include: {},
          });
        const p = await page(3, 2);
        assert.equal(p.totalResults, 7);
        assert.deepEqual(
          p.resources.map((r) => r.doc['userName']),
          ['s2', 's3'],
        );
        assert.equal(p.hasNext, true);
        assert.equal(p.hasPrevious, true);
        const last = await page(7, 5);
        assert.deepEqual(
          last.resources.map((r) => r.doc['userName']),
          ['s6'],
        );
        assert.equal(last.hasNext, false);
        const zero = await page(1, 0);
        assert.equal(zero.totalResults, 7);
        assert.deepEqual(zero.resources, []);
        assert.deepEqual((await page(100, 5)).resources, []);
      });

      for (const sortBy of [undefined, 'userName', 'title'] as const) {
        for (const descending of [false, true]) {
          it(`pages by cursor forward and backward (sortBy ${sortBy ?? 'none'}, ${descending ? 'descending' : 'ascending'})`, async () => {
            const target: QueryTarget = { resourceType: 'User', ...(sortBy ? { sortBy: f.attr('User', sortBy) } : {}) };
            const expected = (await store.query(tenantId, { targets: [target], descending, page: all, include: {} })).resources.map(
              (r) => r.id,
            );
            const run = (page: Page) => store.query(tenantId, { targets: [target], descending, page, include: {} });
            const seen: string[] = [];
            let key: CursorKey | undefined;
            let pages = 0;
            for (;;) {
              const p = await run({ kind: 'cursor', count: 3, withTotal: pages === 0, ...(key ? { after: key } : {}) });
              assert.equal(p.hasPrevious, pages > 0);
              assert.equal(p.totalResults, pages === 0 ? expected.length : undefined, 'the total is counted only when asked');
              seen.push(...p.resources.map((r) => r.id));
              pages++;
              if (!p.hasNext) break;
              key = p.lastKey;
            }
            assert.deepEqual(seen, expected);
            assert.equal(pages, 3);
            // Backwards from the last page's first key.
            const lastPage = await run({ kind: 'cursor', count: 3, withTotal: false, after: key! });
            const back = await run({ kind: 'cursor', count: 3, withTotal: false, before: lastPage.firstKey! });
            assert.deepEqual(
              back.resources.map((r) => r.id),
              expected.slice(3, 6),
            );
            assert.equal(back.hasNext, true);
            assert.equal(back.hasPrevious, true);
            const first = await run({ kind: 'cursor', count: 3, withTotal: false, before: back.firstKey! });
            assert.deepEqual(
              first.resources.map((r) => r.id),
              expected.slice(0, 3),
            );
            assert.equal(first.hasPrevious, false);
          });
        }
      }

      it('paging through all users by cursor while others are being created and deleted never returns one twice', async () => {
        const tenant = await newTenant(store);
        const stable: string[] = [];
        for (let i = 0; i < 40; i++)
          stable.push((await user(store, tenant, { userName: `k${String(i).padStart(3, '0')}`, title: `t${i % 7}` })).id);
        for (const sortBy of [undefined, 'userName', 'title']) {
          const target: QueryTarget = { resourceType: 'User', ...(sortBy ? { sortBy: f.attr('User', sortBy) } : {}) };
          const seen = new Set<string>();
          const churn: string[] = [];
          let key: CursorKey | undefined;
          let n = 0;
          for (;;) {
            const p = await store.query(tenant, {
              targets: [target],
              descending: false,
              page: { kind: 'cursor', count: 4, withTotal: false, ...(key ? { after: key } : {}) },
              include: {},
            });
            for (const r of p.resources) {
              assert.ok(!seen.has(r.id), `${r.id} returned twice`);
              seen.add(r.id);
            }
            churn.push((await user(store, tenant, { userName: `churn-${sortBy}-${n++}`, title: 't3' })).id);
            if (churn.length > 2) await store.delete(tenant, 'User', churn.shift()!);
            if (!p.hasNext) break;
            key = p.lastKey;
          }
          for (const id of stable) assert.ok(seen.has(id), `stable user ${id} was skipped`);
          for (const id of churn) await store.delete(tenant, 'User', id);
        }
      });
    });

    indexPagingContract(() => store);
    adminContract(() => store);
  });
}
