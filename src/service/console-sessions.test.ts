import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { createAdminTokenService } from './admin-tokens.ts';
import { type ConsoleSessions, createConsoleSessions, csrfMatches, SIGN_IN_LINK_MINUTES } from './console-sessions.ts';
import { createTenantService } from './tenants.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ADMIN_TOKEN = 'the-admin-token-from-the-environment-0123';
/** docs/console.md defaults: 30 minutes idle, 8 hours at most. */
const LIFETIME = { idleSeconds: 1800, maxSeconds: 8 * 3600 };

/** A ScimError with this status and detail. */
function refused(status: number, detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.detail], [status, detail]);
    return true;
  };
}

describe('console sign-in and sessions (docs/console.md, "Sign-in and sessions", "Setup links")', () => {
  let store: Store;
  let sessions: ConsoleSessions;
  let now = Date.parse('2026-03-01T10:00:00.000Z');
  const clock = () => new Date(now);
  const iso = (ms: number) => new Date(ms).toISOString();
  let tenantId: string;

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    tenantId = (await store.createTenant({ id: 't-1', name: 'acme', createdAt: clock().toISOString() })).id;
    sessions = createConsoleSessions({
      store,
      adminTokens: createAdminTokenService(store, { envToken: ADMIN_TOKEN, clock }),
      tenants: createTenantService(store, clock),
      lifetime: LIFETIME,
      clock,
    });
  });
  after(() => store.close());

  it('an admin token opens a session: a random secret (stored as its SHA-256), a CSRF token, 8 hours at most', async () => {
    const opened = await sessions.signInWithToken(ADMIN_TOKEN);
    assert.match(opened.secret, /^[A-Za-z0-9_-]{43}$/);
    assert.match(opened.csrf, /^[A-Za-z0-9_-]{32}$/);
    assert.deepEqual(
      [opened.actor, opened.tenant, opened.expiresAt, opened.maxAgeSeconds],
      ['SCIMD_ADMIN_TOKEN', undefined, iso(now + 8 * HOUR), 8 * 3600],
    );
    const hash = createHash('sha256').update(opened.secret).digest('hex');
    assert.ok(await store.findConsoleSession(hash, clock().toISOString(), iso(now - 1)), 'stored by the digest of its secret');
    assert.deepEqual(await sessions.find(opened.secret), {
      actor: 'SCIMD_ADMIN_TOKEN',
      tenant: undefined,
      csrf: opened.csrf,
      expiresAt: iso(now + 8 * HOUR),
    });
    await assert.rejects(sessions.signInWithToken('wrong'), ScimError);
  });

  it('a session ends 30 minutes after its last use, its use written at most once a minute, and 8 hours after sign-in', async () => {
    const start = now;
    const { secret } = await sessions.signInWithToken(ADMIN_TOKEN);
    now = start + 30 * MINUTE - 1;
    assert.ok(await sessions.find(secret), 'used within 30 minutes: refreshed (a minute since the last write)');
    now += 30 * MINUTE - 1;
    assert.ok(await sessions.find(secret));
    now += 59_999;
    assert.ok(await sessions.find(secret), 'not written: under a minute since the last write');
    now += 30 * MINUTE - 59_999;
    assert.equal(await sessions.find(secret), undefined, '30 minutes after the last written use');

    now = start;
    const busy = (await sessions.signInWithToken(ADMIN_TOKEN)).secret;
    while (now < start + 8 * HOUR - 20 * MINUTE) {
      now += 20 * MINUTE;
      assert.ok(await sessions.find(busy));
    }
    now = start + 8 * HOUR;
    assert.equal(await sessions.find(busy), undefined, 'the absolute end');
    now = start;
  });

  it("a use a minute after the last written one is written (the session's seenAt)", async () => {
    const start = now;
    const { secret } = await sessions.signInWithToken(ADMIN_TOKEN);
    const hash = createHash('sha256').update(secret).digest('hex');
    const seenAt = async () => (await store.findConsoleSession(hash, clock().toISOString(), iso(now - HOUR)))?.seenAt;
    now += 59_999;
    await sessions.find(secret);
    assert.equal(await seenAt(), iso(start));
    now += 1;
    await sessions.find(secret);
    assert.equal(await seenAt(), iso(start + MINUTE));
    now = start;
  });

  it('signing out deletes the session; pruning removes ended ones', async () => {
    const { secret } = await sessions.signInWithToken(ADMIN_TOKEN);
    await sessions.signOut(secret);
    assert.equal(await sessions.find(secret), undefined);
    const idle = await sessions.signInWithToken(ADMIN_TOKEN);
    const hash = createHash('sha256').update(idle.secret).digest('hex');
    const start = now;
    now += 31 * MINUTE;
    await sessions.prune();
    assert.equal(await store.findConsoleSession(hash, iso(start), iso(start - 1)), undefined, 'gone from the database');
    now = start;
  });

  it('a sign-in link works once, for 10 minutes by default', async () => {
    assert.equal(SIGN_IN_LINK_MINUTES, 10);
    const link = await sessions.mintSignInLink();
    assert.match(link.secret, /^scimd_link_[A-Za-z0-9_-]{43}$/);
    assert.match(link.id, /^lnk_[0-9a-f]{16}$/);
    assert.equal(link.expiresAt, iso(now + 10 * MINUTE));
    const opened = await sessions.signInWithLink(link.secret);
    assert.deepEqual([opened.actor, opened.tenant, opened.expiresAt], ['console:sign-in-link', undefined, iso(now + 8 * HOUR)]);
    const invalid = refused(401, 'this link is not valid: it expired, was used already, or was revoked');
    await assert.rejects(sessions.signInWithLink(link.secret), invalid);
    const late = await sessions.mintSignInLink(1);
    assert.equal(late.expiresAt, iso(now + MINUTE));
    const start = now;
    now += MINUTE;
    await assert.rejects(sessions.signInWithLink(late.secret), invalid);
    now = start;
    await assert.rejects(sessions.signInWithLink('scimd_link_nope'), invalid);
  });

  it("a setup link opens its tenant's view as often as wanted, until it expires (the session too) or is revoked", async () => {
    const link = await sessions.mintSetupLink('acme', '2h', 'for the IT admin');
    assert.equal(link.expiresAt, iso(now + 2 * HOUR));
    const listed = await sessions.listSetupLinks('acme');
    assert.deepEqual(
      listed.map((l) => [l.id, l.kind, l.tenantId, l.tenantName, l.label, l.expiresAt]),
      [[link.id, 'setup', tenantId, 'acme', 'for the IT admin', link.expiresAt]],
    );
    const first = await sessions.signInWithLink(link.secret);
    assert.deepEqual(
      [first.actor, first.tenant, first.expiresAt, first.maxAgeSeconds],
      [`setup-link:${link.id}`, { id: tenantId, name: 'acme' }, link.expiresAt, 2 * 3600],
    );
    assert.deepEqual((await sessions.find(first.secret))?.tenant, { id: tenantId, name: 'acme' });
    const second = await sessions.signInWithLink(link.secret);
    assert.ok(await sessions.find(second.secret), 'a setup link works more than once');

    await sessions.revokeSetupLink(link.id);
    assert.equal(await sessions.find(first.secret), undefined, 'revoking ends its sessions');
    await assert.rejects(
      sessions.signInWithLink(link.secret),
      refused(401, 'this link is not valid: it expired, was used already, or was revoked'),
    );
    await assert.rejects(sessions.revokeSetupLink('lnk_nope'), refused(404, 'no setup link with id "lnk_nope"'));
    await sessions.mintSignInLink();
    assert.deepEqual(
      (await sessions.listSetupLinks('acme')).map((l) => l.kind),
      ['setup'],
      'sign-in links are not listed',
    );
  });

  it('a setup link is valid 1 minute to 90 days; for a tenant that exists', async () => {
    const bounds = refused(400, 'a setup link is valid for 1 minute to 90 days');
    await assert.rejects(sessions.mintSetupLink('acme', '0m'), bounds);
    await assert.rejects(sessions.mintSetupLink('acme', '91d'), bounds);
    assert.equal((await sessions.mintSetupLink('acme', '1m')).expiresAt, iso(now + MINUTE));
    assert.equal((await sessions.mintSetupLink('acme', '90d')).expiresAt, iso(now + 90 * DAY));
    await assert.rejects(sessions.mintSetupLink('nope', '1d'), refused(404, 'no tenant named "nope"'));
    await assert.rejects(sessions.listSetupLinks('nope'), refused(404, 'no tenant named "nope"'));
  });

  it('a setup session ends with its link, even before 8 hours', async () => {
    const link = await sessions.mintSetupLink('acme', '20m');
    const opened = await sessions.signInWithLink(link.secret);
    assert.deepEqual([opened.expiresAt, opened.maxAgeSeconds], [link.expiresAt, 1200]);
    const start = now;
    now += 20 * MINUTE - 1;
    assert.ok(await sessions.find(opened.secret));
    now += 1;
    assert.equal(await sessions.find(opened.secret), undefined);
    now = start;
  });

  it('a setup link of a tenant deleted since opens nothing', async () => {
    await store.createTenant({ id: 't-2', name: 'gone', createdAt: clock().toISOString() });
    const link = await sessions.mintSetupLink('gone', '1d');
    await store.deleteTenant('t-2');
    await assert.rejects(sessions.signInWithLink(link.secret), ScimError);
  });

  it('CSRF tokens compare whole and exactly', () => {
    assert.equal(csrfMatches('abc', 'abc'), true);
    assert.equal(csrfMatches(undefined, 'abc'), false);
    assert.equal(csrfMatches('abd', 'abc'), false);
    assert.equal(csrfMatches('ab', 'abc'), false);
    assert.equal(csrfMatches('abcd', 'abc'), false);
  });
});
