import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../../src/store/ports/admin.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { describe, it } from '../../src/store/testing/skippable.ts';
import { LENIENT, T0 } from './helpers.ts';

const T1 = '2024-06-01T12:00:00.000Z';
const T2 = '2024-07-01T08:30:00.000Z';

/**
 * What every Store does for administration: disabling and deleting tenants, token expiry for
 * rotation, admin tokens and the audit log. Part of storeContract (`store` is migrated and shared).
 */
export function adminContract(current: () => Store): void {
  describe('administration', () => {
    it('disables and enables a tenant; its tokens carry the state', async () => {
      const store = current();
      const id = randomUUID();
      await store.createTenant({ id, name: `dis-${id}`, createdAt: T0 });
      await store.createToken({ id: `tok-${id}`, tenantId: id, hash: `hash-${id}`, createdAt: T0 });
      assert.equal(await store.setTenantDisabled(id, T1), true);
      assert.equal(await store.setTenantDisabled(id, T2), true, 'disabling again is no error');
      assert.equal((await store.findTenantByName(`dis-${id}`))?.disabledAt, T1, 'the first disabling time is kept');
      assert.equal((await store.findTokenByHash(`hash-${id}`))?.tenantDisabledAt, T1);
      assert.equal(await store.setTenantDisabled(id, null), true);
      const enabled = await store.findTenantByName(`dis-${id}`);
      assert.deepEqual(enabled, { id, name: `dis-${id}`, createdAt: T0, profile: LENIENT });
      assert.equal((await store.findTokenByHash(`hash-${id}`))?.tenantDisabledAt, undefined);
      assert.equal(await store.setTenantDisabled('no-such-tenant', T1), false);
    });

    it('expires a token no later than asked, keeps an earlier expiry, and leaves revoked ones alone', async () => {
      const store = current();
      const tenantId = randomUUID();
      await store.createTenant({ id: tenantId, name: `exp-${tenantId}`, createdAt: T0 });
      await store.createToken({ id: `a-${tenantId}`, tenantId, hash: `ha-${tenantId}`, createdAt: T0 });
      await store.createToken({ id: `b-${tenantId}`, tenantId, hash: `hb-${tenantId}`, createdAt: T0, expiresAt: T1 });
      assert.equal((await store.expireToken(`a-${tenantId}`, T2))?.expiresAt, T2);
      assert.equal((await store.expireToken(`b-${tenantId}`, T2))?.expiresAt, T1);
      assert.equal((await store.findTokenById(`b-${tenantId}`))?.id, `b-${tenantId}`);
      assert.equal(await store.expireToken('missing', T2), undefined);
      assert.equal(await store.findTokenById('missing'), undefined);
    });

    it('deletes a tenant with all its data in one go, and nothing of another tenant', async () => {
      const store = current();
      const [gone, kept] = [randomUUID(), randomUUID()];
      for (const id of [gone, kept]) {
        await store.createTenant({ id, name: `del-${id}`, createdAt: T0 });
        await store.createToken({ id: `tok-${id}`, tenantId: id, hash: `hash-${id}`, createdAt: T0 });
        const event = (n: string) => () => [
          { id: randomUUID(), type: 'scim.user.created', subject: `Users/${n}`, source: 's', time: T0, data: {} },
        ];
        const u = await store.create(id, {
          resourceType: 'User',
          id: randomUUID(),
          doc: { userName: 'same', emails: [{ value: 'a@b.c' }] },
          now: T0,
          events: event('u'),
        });
        await store.create(id, {
          resourceType: 'Group',
          id: randomUUID(),
          doc: { displayName: 'g' },
          members: [{ value: u.resource.id }],
          now: T0,
          events: event('g'),
        });
        await store.markDelivered('sink', id, 1);
      }
      assert.deepEqual(await store.deleteTenant(gone), { resources: 2, tokens: 1, events: 2 });
      assert.equal(await store.findTenantByName(`del-${gone}`), undefined);
      assert.equal(await store.findTokenByHash(`hash-${gone}`), undefined);
      assert.deepEqual(await store.readEvents(gone, 0, 10), []);
      const none = await store.query(gone, {
        targets: [{ resourceType: 'User' }, { resourceType: 'Group' }],
        descending: false,
        page: { kind: 'index', startIndex: 1, count: 10 },
        include: {},
      });
      assert.equal(none.totalResults, 0);
      const left = await store.query(kept, {
        targets: [{ resourceType: 'Group' }],
        descending: false,
        page: { kind: 'index', startIndex: 1, count: 10 },
        include: { members: true },
      });
      assert.equal(left.resources[0]?.members?.length, 1, 'the other tenant keeps its memberships');
      assert.equal((await store.readEvents(kept, 0, 10)).length, 2);
      assert.ok(await store.findTokenByHash(`hash-${kept}`));
      assert.equal(await store.deleteTenant(gone), undefined);
      // The name is free again, for a new tenant with nothing in it.
      await store.createTenant({ id: randomUUID(), name: `del-${gone}`, createdAt: T1 });
    });

    it('stores admin tokens apart from SCIM tokens', async () => {
      const store = current();
      const id = `adm-${randomUUID()}`;
      const token = await store.createAdminToken({ id, hash: `admin-hash-${id}`, label: 'ops', createdAt: T0 });
      assert.deepEqual(token, { id, label: 'ops', createdAt: T0, expiresAt: undefined, revokedAt: undefined, lastUsedAt: undefined });
      assert.equal(await store.findTokenByHash(`admin-hash-${id}`), undefined, 'an admin token is no SCIM token');
      await store.touchAdminToken(id, T1);
      assert.equal((await store.findAdminTokenByHash(`admin-hash-${id}`))?.lastUsedAt, T1);
      assert.ok((await store.listAdminTokens()).some((t) => t.id === id));
      assert.equal(await store.revokeAdminToken(id, T2), true);
      assert.equal((await store.findAdminTokenByHash(`admin-hash-${id}`))?.revokedAt, T2);
      assert.equal(await store.revokeAdminToken('missing', T2), false);
    });

    it('appends audit entries and pages them newest first, filtered by tenant and time', async () => {
      const store = current();
      const tenant = `audit-${randomUUID()}`;
      const entry = (time: string, resourceId: string, status = 201): AuditEntry => ({
        time,
        tenantId: 'tid',
        tenantName: tenant,
        tokenId: 'tok',
        operation: 'create',
        resourceType: 'User',
        resourceId,
        status,
        requestId: `req-${resourceId}`,
      });
      await store.appendAudit([entry(T0, 'a'), entry(T1, 'b', 409)]);
      await store.appendAudit([entry(T2, 'c')]);
      await store.appendAudit([{ ...entry(T2, 'other'), tenantName: 'someone-else' }]);
      const all = await store.listAudit({ tenantName: tenant, limit: 10 });
      assert.deepEqual(
        all.map((e) => e.resourceId),
        ['c', 'b', 'a'],
      );
      assert.deepEqual({ ...all[1], seq: 0 }, { ...entry(T1, 'b', 409), seq: 0 });
      const page = await store.listAudit({ tenantName: tenant, limit: 2 });
      const next = await store.listAudit({ tenantName: tenant, limit: 2, beforeSeq: page[1]!.seq });
      assert.deepEqual(
        [...page, ...next].map((e) => e.resourceId),
        ['c', 'b', 'a'],
      );
      assert.deepEqual(
        (await store.listAudit({ tenantName: tenant, since: T1, until: T2, limit: 10 })).map((e) => e.resourceId),
        ['b'],
      );
    });
  });
}
