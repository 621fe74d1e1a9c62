import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { type AdminTokenService, createAdminTokenService } from './admin-tokens.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const ENV_TOKEN = 'the-admin-token-from-the-environment-0123';

/** RFC 6750 §3: a 401 with the admin realm's challenge and this detail. */
function adminRefused(detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.detail, error.headers], [401, detail, { 'www-authenticate': 'Bearer realm="scimd-admin"' }]);
    return true;
  };
}

describe('admin API tokens (docs/administration.md): SCIMD_ADMIN_TOKEN and minted tokens, never SCIM tokens', () => {
  let store: Store;
  let admin: AdminTokenService;
  let now = T0;
  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    admin = createAdminTokenService(store, { envToken: ENV_TOKEN, clock: () => new Date(now) });
  });
  after(() => store.close());

  it('SCIMD_ADMIN_TOKEN acts as "SCIMD_ADMIN_TOKEN"; the scheme is case-insensitive (RFC 6750 §2.1)', async () => {
    assert.deepEqual(await admin.authenticate(`Bearer ${ENV_TOKEN}`), { tokenId: 'SCIMD_ADMIN_TOKEN' });
    assert.deepEqual(await admin.authenticate(`bearer  ${ENV_TOKEN} `), { tokenId: 'SCIMD_ADMIN_TOKEN' });
    await assert.rejects(admin.authenticate(`Bearer ${ENV_TOKEN}x`), adminRefused('the admin token is not valid'));
  });

  it('no header, another scheme, or an empty token is 401 asking for an admin bearer token', async () => {
    const required = adminRefused('an admin bearer token is required (Authorization: Bearer <admin token>)');
    for (const header of [undefined, '', 'Basic YWRtaW46YWRtaW4=', 'Bearer ', `Token ${ENV_TOKEN}`, `Bearer two words`]) {
      await assert.rejects(admin.authenticate(header), required);
    }
  });

  it('a minted token: shown once with prefix scimd_admin_, stored hashed, valid until it expires, its use recorded', async () => {
    now = T0;
    const minted = await admin.mint({ expires: '1h', label: 'ci' });
    assert.match(minted.token, /^scimd_admin_[A-Za-z0-9_-]{43}$/);
    assert.match(minted.id, /^adm_[0-9a-f]{16}$/);
    assert.equal(minted.expiresAt, iso(T0 + 3_600_000));
    now = T0 + 5000;
    assert.deepEqual(await admin.authenticate(`Bearer ${minted.token}`), { tokenId: minted.id });
    const listed = (await admin.list()).find((t) => t.id === minted.id);
    assert.deepEqual(listed, {
      id: minted.id,
      label: 'ci',
      createdAt: iso(T0),
      expiresAt: iso(T0 + 3_600_000),
      revokedAt: undefined,
      lastUsedAt: iso(T0 + 5000),
    });
    now = T0 + 3_600_000 - 1;
    await admin.authenticate(`Bearer ${minted.token}`);
    now = T0 + 3_600_000;
    await assert.rejects(admin.authenticate(`Bearer ${minted.token}`), adminRefused('the admin token has expired'));
  });

  it('without expires or label a token never expires and has no label', async () => {
    now = T0;
    const minted = await admin.mint();
    assert.equal(minted.expiresAt, undefined);
    const listed = (await admin.list()).find((t) => t.id === minted.id);
    assert.deepEqual([listed?.label, listed?.expiresAt, listed?.lastUsedAt], [undefined, undefined, undefined]);
    now = T0 + 100 * 365 * 86_400_000;
    assert.deepEqual(await admin.authenticate(`Bearer ${minted.token}`), { tokenId: minted.id });
    await assert.rejects(admin.mint({ expires: 'soon' }), (e: unknown) => e instanceof ScimError && e.status === 400);
  });

  it('a revoked token is refused at once; revoking an unknown id is 404', async () => {
    now = T0;
    const minted = await admin.mint();
    now = T0 + 1000;
    await admin.revoke(minted.id);
    assert.equal((await admin.list()).find((t) => t.id === minted.id)?.revokedAt, iso(T0 + 1000));
    await assert.rejects(admin.authenticate(`Bearer ${minted.token}`), adminRefused('the admin token is not valid'));
    await assert.rejects(admin.revoke('adm_nope'), (e: unknown) => {
      assert.ok(e instanceof ScimError);
      assert.deepEqual([e.status, e.detail], [404, 'no admin token with id "adm_nope"']);
      return true;
    });
  });

  it('a SCIM bearer token of a tenant does not open the admin API', async () => {
    await store.createTenant({ id: 't-1', name: 'acme', createdAt: iso(T0) });
    const secret = 'scimd_a-scim-token-of-tenant-acme';
    await store.createToken({
      id: 'tok_scim',
      tenantId: 't-1',
      hash: createHash('sha256').update(secret).digest('hex'),
      label: undefined,
      createdAt: iso(T0),
    });
    await assert.rejects(admin.authenticate(`Bearer ${secret}`), adminRefused('the admin token is not valid'));
  });

  it('without SCIMD_ADMIN_TOKEN only minted tokens open it', async () => {
    const minted = await admin.mint();
    const only = createAdminTokenService(store, { clock: () => new Date(now) });
    await assert.rejects(only.authenticate(`Bearer ${ENV_TOKEN}`), adminRefused('the admin token is not valid'));
    assert.deepEqual(await only.authenticate(`Bearer ${minted.token}`), { tokenId: minted.id });
  });
});
