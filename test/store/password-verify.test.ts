import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { createTestDatabase, postgresTestOptions, type Scratch } from '../../src/store/postgres/testing.ts';
import { after, before, describe, it, skipping } from '../../src/store/testing/skippable.ts';
import { isScim, newTenant, T0 } from './helpers.ts';

const T1 = '2024-06-01T12:00:00.000Z';

/**
 * The store contract of password verification's tokens, user lookup, rehash and lockouts
 * (migration 26): the same on SQLite and PostgreSQL (this file opens both, as the store tests do).
 */
function passwordVerifyContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`store contract (${name}): password verification`, () => {
    let opened: Store;
    before(async () => {
      opened = await makeStore();
      await opened.migrate();
    });
    after(async () => {
      await opened.close();
    });
    const storeOf = () => opened;

    it('verify tokens: stored by hash, listed per tenant, touched, expired and revoked; apart from SCIM tokens', async () => {
      const store = storeOf();
      const tenantId = await newTenant(store);
      const id = `vtok_${randomUUID()}`;
      const hash = randomUUID().replaceAll('-', '').repeat(2);
      const created = await store.createVerifyToken({ id, tenantId, hash, label: 'login', createdAt: T0 });
      assert.equal(created.id, id);
      assert.equal(created.tenantId, tenantId);
      assert.equal(created.label, 'login');
      assert.equal(created.revokedAt, undefined);
      assert.equal((await store.findVerifyTokenByHash(hash))?.id, id);
      assert.equal(await store.findTokenByHash(hash), undefined, 'a verify token is not a SCIM token');
      assert.equal(await store.findVerifyTokenByHash('nope\u0000'), undefined);
      assert.deepEqual(
        (await store.listVerifyTokens(tenantId)).map((t) => t.id),
        [id],
      );
      assert.ok((await store.listVerifyTokens()).some((t) => t.id === id));
      assert.deepEqual(await store.listTokens(tenantId), []);
      await store.touchVerifyToken(id, T1);
      assert.equal((await store.findVerifyTokenById(id))?.lastUsedAt, T1);
      assert.equal((await store.expireVerifyToken(id, T1))?.expiresAt, T1);
      assert.equal(await store.revokeVerifyToken(id, T1), true);
      assert.equal((await store.findVerifyTokenById(id))?.revokedAt, T1);
      assert.equal(await store.revokeVerifyToken('missing\u0000', T1), false);
      await assert.rejects(
        store.createVerifyToken({ id: `vtok_${randomUUID()}`, tenantId: randomUUID(), hash: 'x', createdAt: T0 }),
        isScim(404),
      );
    });

    it('finds a user by folded userName with its hash, and replaces the hash only while it is the expected one', async () => {
      const store = storeOf();
      const tenantId = await newTenant(store);
      const other = await newTenant(store);
      const id = randomUUID();
      await store.create(tenantId, {
        resourceType: 'User',
        id,
        doc: { userName: 'Pat.Doe@Example.com', active: false },
        passwordHash: 'hash1',
        now: T0,
      });
      assert.deepEqual(await store.findVerifyUser(tenantId, 'pat.doe@example.com'), {
        id,
        userName: 'Pat.Doe@Example.com',
        active: false,
        passwordHash: 'hash1',
      });
      assert.equal(await store.findVerifyUser(other, 'pat.doe@example.com'), undefined, 'tenant-scoped');
      assert.equal(await store.findVerifyUser(tenantId, 'pat\u0000'), undefined);
      assert.equal(await store.replacePasswordHash(tenantId, id, 'stale', 'hash2'), false);
      assert.equal(await store.replacePasswordHash(tenantId, id, 'hash1', 'hash2'), true);
      const after = await store.get(tenantId, 'User', id, { passwordHash: true });
      assert.equal(after?.passwordHash, 'hash2');
      assert.equal(after?.version, 1, 'a rehash is no new version');
    });

    it('counts failures per name, locks by the policy, never shortens a lock, lists and clears', async () => {
      const store = storeOf();
      const tenantId = await newTenant(store);
      const policy = (failures: number) => (failures >= 2 ? 1_000_000 * failures : 0);
      const first = await store.recordFailure(tenantId, 'pat', { userName: 'Pat', at: T0, hashTag: undefined }, policy);
      assert.deepEqual(first, { tenantId, userName: 'Pat', failures: 1, lockedUntilMs: 0, lastFailureAt: T0, hashTag: undefined });
      const second = await store.recordFailure(tenantId, 'pat', { userName: 'PAT', at: T1, hashTag: 'tag' }, policy);
      assert.deepEqual(second, { tenantId, userName: 'PAT', failures: 2, lockedUntilMs: 2_000_000, lastFailureAt: T1, hashTag: 'tag' });
      const third = await store.recordFailure(tenantId, 'pat', { userName: 'PAT', at: T1, hashTag: 'tag' }, () => 5);
      assert.equal(third.lockedUntilMs, 2_000_000, 'a lock is never shortened');
      await store.recordFailure(tenantId, 'kim', { userName: 'kim', at: T0, hashTag: undefined }, policy);
      assert.deepEqual(
        (await store.listLockouts(tenantId)).map((l) => [l.userName, l.failures]),
        [
          ['PAT', 3],
          ['kim', 1],
        ],
      );
      assert.equal((await store.findLockout(tenantId, 'pat'))?.failures, 3);
      assert.equal(await store.clearLockout(tenantId, 'pat'), true);
      assert.equal(await store.clearLockout(tenantId, 'pat'), false);
      assert.equal(await store.findLockout(tenantId, 'pat'), undefined);
      assert.equal(await store.clearLockout(tenantId, 'x\u0000'), false);
    });

    it('prunes names whose last failure is old and that are not locked now', async () => {
      const store = storeOf();
      const tenantId = await newTenant(store);
      const at = (failures: number) => (failures >= 2 ? Date.parse(T1) + 60_000 : 0);
      await store.recordFailure(tenantId, 'old', { userName: 'old', at: T0, hashTag: undefined }, at);
      await store.recordFailure(tenantId, 'recent', { userName: 'recent', at: T1, hashTag: undefined }, at);
      await store.recordFailure(tenantId, 'locked', { userName: 'locked', at: T0, hashTag: undefined }, at);
      await store.recordFailure(tenantId, 'locked', { userName: 'locked', at: T0, hashTag: undefined }, at);
      // Every tenant's rows are pruned (other tests' too): count at least this one.
      assert.ok((await store.pruneLockouts(T1, Date.parse(T1))) >= 1);
      assert.deepEqual((await store.listLockouts(tenantId)).map((l) => l.userName).sort(), ['locked', 'recent']);
      assert.ok((await store.pruneLockouts(T1, Date.parse(T1) + 60_000)) >= 1, 'the lock is over');
      assert.deepEqual(
        (await store.listLockouts(tenantId)).map((l) => l.userName),
        ['recent'],
      );
    });

    it('settings: off by default, put and read back; an unknown tenant is 404', async () => {
      const store = storeOf();
      const tenantId = await newTenant(store);
      assert.deepEqual(await store.getVerifySettings(tenantId), { clearLockoutOnPasswordChange: false });
      await store.putVerifySettings(tenantId, { clearLockoutOnPasswordChange: true });
      assert.deepEqual(await store.getVerifySettings(tenantId), { clearLockoutOnPasswordChange: true });
      await store.putVerifySettings(tenantId, { clearLockoutOnPasswordChange: false });
      assert.deepEqual(await store.getVerifySettings(tenantId), { clearLockoutOnPasswordChange: false });
      await assert.rejects(store.putVerifySettings(randomUUID(), { clearLockoutOnPasswordChange: true }), isScim(404));
    });

    it('deleting the tenant deletes its verify tokens, lockouts and settings', async () => {
      const store = storeOf();
      const tenantId = await newTenant(store);
      const id = `vtok_${randomUUID()}`;
      await store.createVerifyToken({ id, tenantId, hash: randomUUID(), createdAt: T0 });
      await store.recordFailure(tenantId, 'pat', { userName: 'pat', at: T0, hashTag: undefined }, () => 0);
      await store.putVerifySettings(tenantId, { clearLockoutOnPasswordChange: true });
      assert.ok(await store.deleteTenant(tenantId));
      assert.equal(await store.findVerifyTokenById(id), undefined);
      assert.deepEqual(await store.listLockouts(tenantId), []);
      assert.deepEqual(await store.getVerifySettings(tenantId), { clearLockoutOnPasswordChange: false });
    });
  });
}

passwordVerifyContract('sqlite::memory:', () => openStore('sqlite::memory:'));

const postgres = await postgresTestOptions();
const scratches: Scratch[] = [];
after(async () => {
  for (const scratch of scratches) await scratch.drop();
});
skipping(postgres.skip, () =>
  passwordVerifyContract('postgres', async () => {
    const scratch = await createTestDatabase();
    scratches.push(scratch);
    return openStore(scratch.url);
  }),
);
