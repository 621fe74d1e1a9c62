import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { parseDuration } from './duration.ts';
import { PROFILES } from './profiles.ts';
import { bearerTokenOf, createTenantService, type TenantService } from './tenants.ts';
import { tokenState } from './tokens.ts';

const unauthorized = (error: unknown) => error instanceof ScimError && error.status === 401;

describe('RFC 6750 bearer authentication, remembered per keep-alive connection', () => {
  let store: Store;
  let tenants: TenantService;
  let now = Date.parse('2026-01-01T00:00:00Z');
  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    tenants = createTenantService(store, () => new Date(now));
    await tenants.createTenant('acme');
  });
  after(() => store.close());

  it('a connection that re-sends its header gets the same tenant', async () => {
    const { token } = await tenants.mintToken('acme');
    const connection = {};
    const first = await tenants.authenticate(`Bearer ${token}`, connection);
    assert.equal(first.tenantName, 'acme');
    assert.deepEqual(await tenants.authenticate(`Bearer ${token}`, connection), first);
  });

  it('another header on an authenticated connection is checked on its own', async () => {
    const { token } = await tenants.mintToken('acme');
    const connection = {};
    await tenants.authenticate(`Bearer ${token}`, connection);
    await assert.rejects(tenants.authenticate(`Bearer ${token}x`, connection), unauthorized);
    await assert.rejects(tenants.authenticate(undefined, connection), unauthorized);
  });

  it('a revocation in this process applies to the very next request on the connection', async () => {
    const minted = await tenants.mintToken('acme');
    const connection = {};
    await tenants.authenticate(`Bearer ${minted.token}`, connection);
    await tenants.revokeToken(minted.id);
    await assert.rejects(tenants.authenticate(`Bearer ${minted.token}`, connection), unauthorized);
  });

  it('a revocation by another process (the CLI) applies within a second on the connection too', async () => {
    const minted = await tenants.mintToken('acme');
    const connection = {};
    await tenants.authenticate(`Bearer ${minted.token}`, connection);
    await store.revokeToken(minted.id, new Date(now).toISOString());
    now += 1001;
    await assert.rejects(tenants.authenticate(`Bearer ${minted.token}`, connection), unauthorized);
  });

  it('a token that expires is refused on its connection from its expiry on', async () => {
    const minted = await tenants.mintToken('acme', { expires: '1m' });
    const connection = {};
    await tenants.authenticate(`Bearer ${minted.token}`, connection);
    now += 60_000;
    await assert.rejects(tenants.authenticate(`Bearer ${minted.token}`, connection), unauthorized);
  });
});

describe("a tenant's compatibility profile reaches its requests' principal (docs/profiles.md)", () => {
  let store: Store;
  let now = Date.parse('2026-01-01T00:00:00Z');
  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
  });
  after(() => store.close());

  it('lenient until set; a change in this process applies to the next request, one by another process within a second', async () => {
    const here = createTenantService(store, () => new Date(now));
    const elsewhere = createTenantService(store, () => new Date(now));
    await here.createTenant('profiled');
    const { token } = await here.mintToken('profiled');
    const connection = {};
    assert.equal((await here.authenticate(`Bearer ${token}`, connection)).profile.requirePatchPath, false);

    await here.setProfile('profiled', 'strict', {});
    assert.equal((await here.authenticate(`Bearer ${token}`, connection)).profile.requirePatchPath, true);

    await elsewhere.setProfile('profiled', 'lenient', { uniqueGroupDisplayName: true });
    assert.equal((await here.authenticate(`Bearer ${token}`, connection)).profile.requirePatchPath, true, 'cached for up to a second');
    now += 1001;
    const principal = await here.authenticate(`Bearer ${token}`, connection);
    assert.equal(principal.profile.requirePatchPath, false);
    assert.equal(principal.profile.uniqueGroupDisplayName, true);
  });

  it('refuses an unknown profile or behaviour with 400, an unknown tenant with 404, and keeps the profile it had', async () => {
    const tenants = createTenantService(store);
    await tenants.createTenant('refusing');
    await tenants.setProfile('refusing', 'okta', {});
    await assert.rejects(tenants.setProfile('refusing', 'rfc', {}), (e) => e instanceof ScimError && e.status === 400);
    await assert.rejects(tenants.setProfile('refusing', 'strict', { nope: true }), (e) => e instanceof ScimError && e.status === 400);
    await assert.rejects(tenants.setProfile('missing', 'strict', {}), (e) => e instanceof ScimError && e.status === 404);
    assert.deepEqual((await tenants.findTenant('refusing')).profile, { name: 'okta', overrides: {} });
  });
});

describe('tenants and their tokens (docs/tenants.md): the service behind the CLI and /admin', () => {
  let store: Store;
  let tenants: TenantService;
  const T0 = Date.parse('2026-03-01T00:00:00Z');
  let now = T0;
  const iso = (ms: number) => new Date(ms).toISOString();
  const refusedWith = (status: number, detail: string) => (error: unknown) => {
    assert.ok(error instanceof ScimError, `expected a ScimError, got ${String(error)}`);
    assert.deepEqual({ status: error.status, detail: error.detail }, { status, detail });
    return true;
  };
  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    tenants = createTenantService(store, () => new Date(now));
  });
  after(() => store.close());

  it('RFC 6750 §2.1: the token of "Bearer <token>", scheme in any case, one or more spaces; anything else is 401', () => {
    assert.equal(bearerTokenOf('Bearer abc.def-1'), 'abc.def-1');
    assert.equal(bearerTokenOf('bearer   abc '), 'abc');
    for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'xBearer abc', 'Bearer abc def', 'Bearer\tabc']) {
      assert.throws(() => bearerTokenOf(header), refusedWith(401, 'a bearer token is required (Authorization: Bearer <token>)'));
    }
  });

  it('durations: days, hours, minutes; anything else is 400', () => {
    assert.equal(parseDuration('90d'), 90 * 86_400_000);
    assert.equal(parseDuration(' 12h '), 12 * 3_600_000);
    assert.equal(parseDuration('15m'), 15 * 60_000);
    for (const text of ['10', '1d2', 'x1d', '1w', '']) {
      assert.throws(() => parseDuration(text), refusedWith(400, `expected a duration like 90d, 12h or 30m, got "${text}"`));
    }
  });

  it('a tenant name is 1 to 63 of a-z, 0-9, "-", "_", starting with a letter or digit; a taken one is 409 naming its id', async () => {
    const rule = 'a tenant name is 1 to 63 characters of a-z, 0-9, "-" and "_", starting with a letter or digit';
    for (const name of ['', 'Acme', '-acme', 'ac me', 'acme!', 'a'.repeat(64)]) {
      await assert.rejects(tenants.createTenant(name), refusedWith(400, rule));
    }
    const long = `b${'-'.repeat(61)}9`;
    assert.equal((await tenants.createTenant(long)).name, long);
    const initech = await tenants.createTenant('initech');
    await assert.rejects(tenants.createTenant('initech'), refusedWith(409, `a tenant named "initech" already exists (id ${initech.id})`));
    assert.deepEqual(await tenants.ensureTenant('initech'), { tenant: initech, created: false });
    const made = await tenants.ensureTenant('hooli');
    assert.equal(made.created, true);
    assert.equal(made.tenant.name, 'hooli');
    await assert.rejects(tenants.findTenant('nope'), refusedWith(404, 'no tenant named "nope"'));
  });

  it('a token minted with a lifetime and label; its states: active, expired from its expiry on, revoked', async () => {
    now = T0;
    await tenants.ensureTenant('umbrella');
    const minted = await tenants.mintToken('umbrella', { expires: '90d', label: 'okta' });
    assert.equal(minted.tenant, 'umbrella');
    assert.equal(minted.expiresAt, iso(T0 + 90 * 86_400_000));
    const view = (await tenants.listTokens('umbrella')).find((t) => t.id === minted.id)!;
    assert.deepEqual(
      { ...view },
      {
        id: minted.id,
        tenant: 'umbrella',
        label: 'okta',
        state: 'active',
        createdAt: iso(T0),
        expiresAt: iso(T0 + 90 * 86_400_000),
        revokedAt: undefined,
        lastUsedAt: undefined,
      },
    );
    const record = (await store.findTokenById(minted.id))!;
    assert.equal(tokenState(record, new Date(T0 + 90 * 86_400_000 - 1)), 'active');
    assert.equal(tokenState(record, new Date(T0 + 90 * 86_400_000)), 'expired');
    assert.equal((await tenants.revokeToken(minted.id)).state, 'revoked');
    assert.equal(tokenState((await store.findTokenById(minted.id))!, new Date(T0)), 'revoked');
    await assert.rejects(tenants.revokeToken('tok_nope'), refusedWith(404, 'no token with id "tok_nope"'));
  });

  it('authentication errors: 401 for an unknown, revoked or expired token; 403 for a disabled tenant until it is enabled', async () => {
    now = T0;
    await tenants.ensureTenant('wayne');
    await assert.rejects(tenants.authenticate(undefined), refusedWith(401, 'a bearer token is required (Authorization: Bearer <token>)'));
    await assert.rejects(tenants.authenticate('Bearer scimd_nope'), refusedWith(401, 'the bearer token is not valid'));
    const short = await tenants.mintToken('wayne', { expires: '1m' });
    now = T0 + 60_000;
    await assert.rejects(tenants.authenticate(`Bearer ${short.token}`), refusedWith(401, 'the bearer token has expired'));
    const { token } = await tenants.mintToken('wayne');
    assert.equal((await tenants.authenticate(`Bearer ${token}`)).tenantName, 'wayne');
    assert.ok((await tenants.disableTenant('wayne')).disabledAt);
    await assert.rejects(tenants.authenticate(`Bearer ${token}`), refusedWith(403, 'tenant "wayne" is disabled'));
    assert.equal((await tenants.enableTenant('wayne')).disabledAt, undefined);
    assert.equal((await tenants.authenticate(`Bearer ${token}`)).tenantName, 'wayne');
  });

  it('the last use of a token is written at most once a minute', async () => {
    now = T0;
    await tenants.ensureTenant('stark');
    const minted = await tenants.mintToken('stark');
    const lastUsed = async () => (await store.findTokenById(minted.id))!.lastUsedAt;
    await tenants.authenticate(`Bearer ${minted.token}`);
    assert.equal(await lastUsed(), iso(T0));
    now = T0 + 30_000;
    await tenants.authenticate(`Bearer ${minted.token}`);
    assert.equal(await lastUsed(), iso(T0));
    now = T0 + 61_000;
    await tenants.authenticate(`Bearer ${minted.token}`);
    assert.equal(await lastUsed(), iso(T0 + 61_000));
  });

  it("rotation: a new token with the old one's label and lifetime; the old one works for the overlap (default 24h), then expires", async () => {
    now = T0;
    await tenants.ensureTenant('cyberdyne');
    const old = await tenants.mintToken('cyberdyne', { expires: '90d', label: 'entra' });
    now = T0 + 3_600_000;
    const { minted, previous } = await tenants.rotateToken(old.id);
    assert.equal(minted.tenant, 'cyberdyne');
    assert.equal(minted.expiresAt, iso(now + 90 * 86_400_000));
    assert.equal((await store.findTokenById(minted.id))!.label, 'entra');
    assert.deepEqual([previous.id, previous.state, previous.expiresAt], [old.id, 'active', iso(now + 86_400_000)]);
    assert.equal((await tenants.authenticate(`Bearer ${old.token}`)).tenantName, 'cyberdyne');
    now += 86_400_000;
    await assert.rejects(tenants.authenticate(`Bearer ${old.token}`), refusedWith(401, 'the bearer token has expired'));
    assert.equal((await tenants.authenticate(`Bearer ${minted.token}`)).tenantName, 'cyberdyne');

    const again = await tenants.rotateToken(minted.id, { overlap: '0m', expires: '12h' });
    assert.equal(again.minted.expiresAt, iso(now + 12 * 3_600_000));
    assert.equal(again.previous.state, 'expired');
    await assert.rejects(tenants.authenticate(`Bearer ${minted.token}`), refusedWith(401, 'the bearer token has expired'));
    await assert.rejects(tenants.rotateToken(minted.id), refusedWith(400, `token ${minted.id} is expired: create a new one instead`));
    await tenants.revokeToken(again.minted.id);
    await assert.rejects(
      tenants.rotateToken(again.minted.id),
      refusedWith(400, `token ${again.minted.id} is revoked: create a new one instead`),
    );
    await assert.rejects(tenants.rotateToken('tok_nope'), refusedWith(404, 'no token with id "tok_nope"'));
  });

  it('a bootstrap secret is made valid once', async () => {
    now = T0;
    const secret = 'bootstrap-secret-of-the-tenant-tests-0123';
    const first = await tenants.ensureToken('gotham', secret, 'bootstrap');
    assert.equal((await tenants.ensureToken('gotham', secret, 'bootstrap')).id, first.id);
    assert.deepEqual(await tenants.authenticate(`Bearer ${secret}`), {
      tenantId: (await tenants.findTenant('gotham')).id,
      tenantName: 'gotham',
      tokenId: first.id,
      profile: PROFILES.lenient,
    });
  });

  it('a revoked bootstrap secret stays revoked when the server starts again with it', async () => {
    now = T0;
    const secret = 'bootstrap-secret-revoked-by-the-operator-0123';
    const first = await tenants.ensureToken('gotham', secret, 'bootstrap');
    await tenants.revokeToken(first.id);
    const again = await tenants.ensureToken('gotham', secret, 'bootstrap');
    assert.equal(again.id, first.id);
    assert.equal(again.revokedAt, iso(T0));
    await assert.rejects(tenants.authenticate(`Bearer ${secret}`), refusedWith(401, 'the bearer token is not valid'));
  });

  it('a deleted tenant is gone with its tokens', async () => {
    now = T0;
    await tenants.ensureTenant('oscorp');
    const { token } = await tenants.mintToken('oscorp');
    assert.equal((await tenants.authenticate(`Bearer ${token}`)).tenantName, 'oscorp');
    const deleted = await tenants.deleteTenant('oscorp');
    assert.equal(deleted.tenant.name, 'oscorp');
    await assert.rejects(tenants.authenticate(`Bearer ${token}`), refusedWith(401, 'the bearer token is not valid'));
    await assert.rejects(tenants.deleteTenant('oscorp'), refusedWith(404, 'no tenant named "oscorp"'));
    assert.ok(!(await tenants.listTenants()).some((t) => t.name === 'oscorp'));
  });
});
