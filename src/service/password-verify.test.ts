import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isScryptOf, scryptHashOf } from '../../test/helpers/password-hash.ts';
import { lenientScope } from '../../test/helpers/service-scope.ts';
import { ScimError } from '../errors/scim-error.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { openStore } from '../store/open.ts';
import type { AuditEntry } from '../store/ports/admin.ts';
import type { Store } from '../store/ports/store.ts';
import { createPasswordVerifier, type PasswordVerifier, type VerifyOutcome } from './password-verify.ts';
import { createResourceService, type ResourceService } from './resources.ts';
import type { Principal } from './tenants.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const NONE = { attributes: undefined, excludedAttributes: undefined };
/** Unit tests hash at a cheap cost; the verifier is configured with the same N. */
const N = 1024;
const HOUR = 3_600_000;
/** docs/password-sync.md: every refused credential gets this 401, word for word. */
const REFUSED = {
  status: 401,
  scimType: undefined,
  detail: 'the user name or password is not valid',
  headers: { 'www-authenticate': 'Bearer realm="scimd"' },
};

/** A ScimError with exactly these fields. */
function scim(expected: { status: number; scimType?: string; detail: string; headers?: Record<string, string> }) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual(
      { status: error.status, scimType: error.scimType, detail: error.detail, headers: error.headers },
      { scimType: undefined, headers: {}, ...expected },
    );
    return true;
  };
}

const refused = () => scim(REFUSED);
const invalidToken = (detail: string) =>
  scim({
    status: 401,
    detail,
    headers: { 'www-authenticate': `Bearer realm="scimd", error="invalid_token", error_description="${detail}"` },
  });

describe('POST /auth/verify (docs/password-sync.md): the password verifier on a real store', () => {
  let store: Store;
  let resources: ResourceService;
  let verifier: PasswordVerifier;
  let now = Date.parse('2026-03-01T10:00:00.000Z');
  const clock = () => new Date(now);
  const audit: AuditEntry[] = [];
  const outcomes: VerifyOutcome[] = [];
  const config = {
    scryptN: N,
    lockoutThreshold: 3,
    lockoutDelaySeconds: 30,
    lockoutMaxDelaySeconds: 100,
    rateLimit: { perSecond: 0, burst: 0 },
  };
  const ids: Record<string, string> = {};
  let acme: Principal;

  /** A user of tenant acme, its password hashed at cost N. */
  async function user(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
    const { resource } = await resources.create(lenientScope('t-1'), 'User', { schemas: [USER], userName, ...extra }, NONE);
    ids[userName] = (resource as { id: string }).id;
    return ids[userName]!;
  }
  const hashOf = async (userName: string) => (await store.findVerifyUser('t-1', userName.toLowerCase()))?.passwordHash;
  const lockouts = async () => verifier.listLockouts('acme');
  /** The last audit entry, without its time (checked apart). */
  const lastAudit = () => {
    const { time, ...entry } = audit[audit.length - 1]!;
    assert.equal(time, clock().toISOString());
    return entry;
  };

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    await store.createTenant({ id: 't-1', name: 'acme', createdAt: clock().toISOString() });
    await store.createTenant({ id: 't-2', name: 'other', createdAt: clock().toISOString() });
    resources = createResourceService({
      store,
      registries: { forTenant: async () => createCoreRegistry() },
      clock,
      limits: { maxResults: 100, defaultPageSize: 100, cursorTimeoutSeconds: 60 },
      hashPassword: async (password) => scryptHashOf(password, N),
    });
    verifier = createPasswordVerifier({ store, config, clock, audit: (e) => audit.push(e), onOutcome: (o) => outcomes.push(o) });
    await user('bjensen', { password: 'Right-Pass-1' });
    await user('inactive', { password: 'Right-Pass-1', active: false });
    await user('nopass');
    const minted = await verifier.mintToken('acme', { label: 'login' });
    acme = await verifier.authenticate(`Bearer ${minted.token}`);
  });
  after(() => store.close());

  describe('verify tokens: minted, authenticated, listed, rotated, revoked', () => {
    it('a token of its own prefix, for one tenant; the principal it authenticates', async () => {
      const minted = await verifier.mintToken('acme');
      assert.match(minted.token, /^scimd_verify_[A-Za-z0-9_-]{43}$/);
      assert.match(minted.id, /^vtok_[0-9a-f]{16}$/);
      assert.deepEqual([minted.tenant, minted.expiresAt], ['acme', undefined]);
      const principal = await verifier.authenticate(`Bearer ${minted.token}`);
      assert.deepEqual(
        [principal.tenantId, principal.tenantName, principal.tokenId, principal.profile.requirePatchPath],
        ['t-1', 'acme', minted.id, false],
      );
      await store.setTenantProfile('t-1', { name: 'strict', overrides: {} });
      assert.equal((await verifier.authenticate(`Bearer ${minted.token}`)).profile.requirePatchPath, true, "the tenant's profile");
      await store.setTenantProfile('t-1', { name: 'lenient', overrides: {} });
      await assert.rejects(verifier.mintToken('nope'), scim({ status: 404, detail: 'no tenant named "nope"' }));
    });

    it('refused: no token, an unknown one, a revoked one, an expired one (401); a disabled tenant (403); each an invalid_token outcome', async () => {
      outcomes.length = 0;
      await assert.rejects(
        verifier.authenticate(undefined),
        scim({
          status: 401,
          detail: 'a bearer token is required (Authorization: Bearer <token>)',
          headers: { 'www-authenticate': 'Bearer realm="scimd"' },
        }),
      );
      await assert.rejects(verifier.authenticate('Bearer scimd_verify_nope'), invalidToken('the bearer token is not a valid verify token'));
      const revoked = await verifier.mintToken('acme');
      const view = await verifier.revokeToken(revoked.id);
      assert.deepEqual([view.state, view.revokedAt], ['revoked', clock().toISOString()]);
      await assert.rejects(verifier.authenticate(`Bearer ${revoked.token}`), invalidToken('the bearer token is not a valid verify token'));
      await assert.rejects(verifier.revokeToken('vtok_nope'), scim({ status: 404, detail: 'no verify token with id "vtok_nope"' }));
      await assert.rejects(verifier.rotateToken('vtok_nope'), scim({ status: 404, detail: 'no verify token with id "vtok_nope"' }));

      const expiring = await verifier.mintToken('acme', { expires: '1h' });
      assert.equal(expiring.expiresAt, new Date(now + HOUR).toISOString());
      const start = now;
      now += HOUR - 1;
      await verifier.authenticate(`Bearer ${expiring.token}`);
      now += 1;
      await assert.rejects(verifier.authenticate(`Bearer ${expiring.token}`), invalidToken('the verify token has expired'));
      now = start;

      await store.setTenantDisabled('t-1', clock().toISOString());
      try {
        await assert.rejects(
          verifier.authenticate(`Bearer ${(await verifier.mintToken('acme')).token}`),
          scim({ status: 403, detail: 'tenant "acme" is disabled' }),
        );
      } finally {
        await store.setTenantDisabled('t-1', null);
      }
      assert.deepEqual(outcomes, ['invalid_token', 'invalid_token', 'invalid_token', 'invalid_token', 'invalid_token']);
    });

    it('its last use is written at most once a minute', async () => {
      const minted = await verifier.mintToken('other');
      const lastUsed = async () => (await verifier.listTokens('other')).find((t) => t.id === minted.id)!.lastUsedAt;
      assert.equal(await lastUsed(), undefined);
      const first = clock().toISOString();
      await verifier.authenticate(`Bearer ${minted.token}`);
      assert.equal(await lastUsed(), first);
      now += 60_000;
      await verifier.authenticate(`Bearer ${minted.token}`);
      assert.equal(await lastUsed(), first);
      now += 1;
      await verifier.authenticate(`Bearer ${minted.token}`);
      assert.equal(await lastUsed(), clock().toISOString());
    });

    it("listed per tenant or all, never with their secret; rotated with the old one's label, the old one kept for the overlap", async () => {
      const minted = await verifier.mintToken('other', { label: 'portal', expires: '48h' });
      const other = await verifier.listTokens('other');
      assert.ok(other.every((t) => t.tenant === 'other'));
      const listed = other.find((t) => t.id === minted.id)!;
      assert.deepEqual(listed, {
        id: minted.id,
        tenant: 'other',
        label: 'portal',
        state: 'active',
        createdAt: clock().toISOString(),
        expiresAt: new Date(now + 48 * HOUR).toISOString(),
        revokedAt: undefined,
        lastUsedAt: undefined,
      });
      const all = await verifier.listTokens();
      assert.ok(all.some((t) => t.tenant === 'acme') && all.some((t) => t.id === minted.id));
      assert.ok(!JSON.stringify(all).includes('scimd_verify_'), 'no secret listed');
      await assert.rejects(verifier.listTokens('nope'), scim({ status: 404, detail: 'no tenant named "nope"' }));

      const { minted: successor, previous } = await verifier.rotateToken(minted.id, { overlap: '1h' });
      assert.deepEqual([successor.tenant, successor.expiresAt], ['other', new Date(now + 48 * HOUR).toISOString()]);
      assert.equal(previous.expiresAt, new Date(now + HOUR).toISOString());
      assert.equal((await verifier.listTokens('other')).find((t) => t.id === successor.id)!.label, 'portal');
      const { previous: byDefault } = await verifier.rotateToken(successor.id);
      assert.equal(byDefault.expiresAt, new Date(now + 24 * HOUR).toISOString());
    });
  });

  describe('a check: one answer for every refused credential, the reason in the audit log and the metrics only', () => {
    it('the right password of an active user: who it is, audited without a reason', async () => {
      outcomes.length = 0;
      const verified = await verifier.check(acme, { userName: 'BJensen', password: 'Right-Pass-1' }, 'req-1');
      assert.deepEqual(verified, { id: ids['bjensen'], userName: 'bjensen', active: true, tenant: 'acme' });
      assert.deepEqual(lastAudit(), {
        tenantId: 't-1',
        tenantName: 'acme',
        tokenId: acme.tokenId,
        operation: 'verify',
        resourceType: 'User',
        resourceId: ids['bjensen'],
        status: 200,
        requestId: 'req-1',
      });
      assert.deepEqual(outcomes, ['verified']);
    });

    it('a wrong password, an unknown user, an inactive user, a user without a password: the same 401', async () => {
      const cases: Array<[string, string, VerifyOutcome, string | undefined]> = [
        ['bjensen', 'Wrong-Pass', 'wrong_password', ids['bjensen']],
        ['nobody', 'Right-Pass-1', 'unknown_user', undefined],
        ['inactive', 'Right-Pass-1', 'inactive', ids['inactive']],
        ['inactive', 'Wrong-Pass', 'wrong_password', ids['inactive']],
        ['nopass', 'Right-Pass-1', 'no_password', ids['nopass']],
      ];
      for (const [userName, password, reason, resourceId] of cases) {
        outcomes.length = 0;
        await assert.rejects(verifier.check(acme, { userName, password }, 'req-2'), refused(), `${userName} ${password}`);
        assert.deepEqual(outcomes, [reason]);
        assert.deepEqual(lastAudit(), {
          tenantId: 't-1',
          tenantName: 'acme',
          tokenId: acme.tokenId,
          operation: 'verify',
          resourceType: 'User',
          resourceId,
          status: 401,
          requestId: 'req-2',
          reason,
        });
        await verifier.clearLockout('acme', userName);
      }
    });

    it('a body that is not {userName, password} of non-empty strings up to 4096 characters is 400, and no failure', async () => {
      const shape = scim({
        status: 400,
        scimType: 'invalidSyntax',
        detail: 'the body must be a JSON object with the strings "userName" and "password"',
      });
      const long = scim({ status: 400, scimType: 'invalidSyntax', detail: 'userName and password are at most 4096 characters' });
      const bodies: Array<[unknown, ReturnType<typeof scim>]> = [
        [null, shape],
        ['bjensen', shape],
        [{}, shape],
        [{ userName: 'bjensen' }, shape],
        [{ password: 'x' }, shape],
        [{ userName: '', password: 'x' }, shape],
        [{ userName: 'bjensen', password: '' }, shape],
        [{ userName: 7, password: 'x' }, shape],
        [{ userName: 'bjensen', password: 7 }, shape],
        [{ userName: 'x'.repeat(4097), password: 'x' }, long],
        [{ userName: 'bjensen', password: 'x'.repeat(4097) }, long],
      ];
      for (const [body, expected] of bodies) {
        outcomes.length = 0;
        await assert.rejects(verifier.check(acme, body), expected, JSON.stringify(body)?.slice(0, 40));
        assert.deepEqual(outcomes, ['malformed']);
        assert.deepEqual(lastAudit(), {
          tenantId: 't-1',
          tenantName: 'acme',
          tokenId: acme.tokenId,
          operation: 'verify',
          resourceType: 'User',
          resourceId: undefined,
          status: 400,
          requestId: undefined,
          reason: 'malformed',
        });
      }
      await assert.rejects(verifier.check(acme, { userName: 'x'.repeat(4096), password: 'y'.repeat(4096) }), refused());
      await verifier.clearLockout('acme', 'x'.repeat(4096));
      assert.deepEqual(await lockouts(), []);
    });

    it('a token beyond its rate limit gets 429 with Retry-After, audited; another token is not held back', async () => {
      const entries: AuditEntry[] = [];
      const seen: VerifyOutcome[] = [];
      const limited = createPasswordVerifier({
        store,
        config: { ...config, rateLimit: { perSecond: 0.5, burst: 1 } },
        clock,
        audit: (e) => entries.push(e),
        onOutcome: (o) => seen.push(o),
      });
      const body = { userName: 'bjensen', password: 'Right-Pass-1' };
      await limited.check(acme, body);
      await assert.rejects(
        limited.check(acme, body, 'req-3'),
        scim({
          status: 429,
          detail: 'too many requests: the limit is 0.5 requests/s per token; retry later',
          headers: { 'retry-after': '2' },
        }),
      );
      assert.deepEqual(seen, ['verified', 'rate_limited']);
      assert.deepEqual(
        [entries[1]!.status, entries[1]!.reason, entries[1]!.requestId, entries[1]!.resourceId],
        [429, 'rate_limited', 'req-3', undefined],
      );
      await limited.check({ ...acme, tokenId: 'vtok_other' }, body);
      now += 2000;
      await limited.check(acme, body);
    });

    it('without an audit log or metrics, and on the real clock, a check still answers', async () => {
      const plain = createPasswordVerifier({ store, config });
      await assert.rejects(plain.authenticate('Bearer scimd_verify_nope'), invalidToken('the bearer token is not a valid verify token'));
      assert.equal((await plain.check(acme, { userName: 'bjensen', password: 'Right-Pass-1' })).id, ids['bjensen']);
      await assert.rejects(plain.check(acme, { userName: 'bjensen', password: 'nope' }), refused());
      await assert.rejects(
        plain.check(acme, {}),
        scim({
          status: 400,
          scimType: 'invalidSyntax',
          detail: 'the body must be a JSON object with the strings "userName" and "password"',
        }),
      );
      await verifier.clearLockout('acme', 'bjensen');
    });
  });

  describe('lockout with growing delays (threshold 3, delay 30 s, ceiling 100 s here)', () => {
    it('3 failures lock; the right password is then refused unseen; each failure after a lock doubles it, up to the ceiling', async () => {
      await user('locked', { password: 'Right-Pass-2' });
      const wrong = () => verifier.check(acme, { userName: 'Locked', password: 'Wrong' });
      const right = () => verifier.check(acme, { userName: 'locked', password: 'Right-Pass-2' });
      await assert.rejects(wrong(), refused());
      now += 1000;
      await assert.rejects(wrong(), refused());
      assert.deepEqual(await lockouts(), [
        { userName: 'Locked', failures: 2, locked: false, lockedUntil: undefined, lastFailureAt: clock().toISOString() },
      ]);
      await assert.rejects(wrong(), refused());
      const lockedAt = now;
      assert.deepEqual(await lockouts(), [
        {
          userName: 'Locked',
          failures: 3,
          locked: true,
          lockedUntil: new Date(lockedAt + 30_000).toISOString(),
          lastFailureAt: clock().toISOString(),
        },
      ]);
      outcomes.length = 0;
      now = lockedAt + 29_999;
      await assert.rejects(right(), refused());
      assert.deepEqual(outcomes, ['locked']);
      assert.equal((await lockouts())[0]!.failures, 3, 'a refusal unseen counts no failure');
      now = lockedAt + 30_000;
      assert.equal((await lockouts())[0]!.locked, false);
      await assert.rejects(wrong(), refused());
      assert.equal((await lockouts())[0]!.lockedUntil, new Date(now + 60_000).toISOString());
      now += 60_000;
      await assert.rejects(wrong(), refused());
      assert.deepEqual([(await lockouts())[0]!.failures, (await lockouts())[0]!.lockedUntil], [5, new Date(now + 100_000).toISOString()]);
      now += 100_000;
      assert.equal((await right()).id, ids['locked']);
      assert.deepEqual(await lockouts(), [], 'a success forgets the failures');
      await assert.rejects(wrong(), refused());
      assert.equal((await lockouts())[0]!.failures, 1);
      await verifier.clearLockout('acme', 'locked');
    });

    it('unknown userNames lock exactly as known ones; the operator clears a lockout by the name in any case', async () => {
      for (let i = 0; i < 3; i++) await assert.rejects(verifier.check(acme, { userName: 'Ghost', password: 'x' }), refused());
      outcomes.length = 0;
      await assert.rejects(verifier.check(acme, { userName: 'ghost', password: 'x' }), refused());
      assert.deepEqual(outcomes, ['locked']);
      await verifier.clearLockout('acme', 'GHOST');
      assert.deepEqual(await lockouts(), []);
      await assert.rejects(
        verifier.clearLockout('acme', 'GHOST'),
        scim({ status: 404, detail: 'no failed checks recorded for "GHOST" in tenant "acme"' }),
      );
      await assert.rejects(verifier.clearLockout('nope', 'x'), scim({ status: 404, detail: 'no tenant named "nope"' }));
      await assert.rejects(verifier.listLockouts('nope'), scim({ status: 404, detail: 'no tenant named "nope"' }));
    });

    it('a name with U+0000 is refused as unknown and counts nothing (PostgreSQL cannot store it)', async () => {
      outcomes.length = 0;
      await assert.rejects(verifier.check(acme, { userName: 'a\u0000b', password: 'x' }), refused());
      assert.deepEqual(outcomes, ['unknown_user']);
      assert.deepEqual(await lockouts(), []);
    });

    it("a name's failures are forgotten 24 hours after the last one", async () => {
      now += 1;
      const failedAt = now;
      await assert.rejects(verifier.check(acme, { userName: 'forgotten', password: 'x' }), refused());
      now = failedAt + 24 * HOUR;
      await verifier.pruneLockouts();
      assert.deepEqual(
        (await lockouts()).map((l) => l.userName),
        ['forgotten'],
      );
      now += 1;
      assert.equal(await verifier.pruneLockouts(), 1);
      assert.deepEqual(await lockouts(), []);
    });

    it("a password the identity provider changed ends a lockout only under the tenant's setting", async () => {
      const id = await user('changer', { password: 'Old-Pass-1' });
      assert.deepEqual(await verifier.getSettings('acme'), { clearLockoutOnPasswordChange: false });
      for (let i = 0; i < 3; i++) await assert.rejects(verifier.check(acme, { userName: 'changer', password: 'x' }), refused());
      assert.ok(await store.replacePasswordHash('t-1', id, (await hashOf('changer'))!, scryptHashOf('New-Pass-1', N)));
      outcomes.length = 0;
      await assert.rejects(verifier.check(acme, { userName: 'changer', password: 'New-Pass-1' }), refused());
      assert.deepEqual(outcomes, ['locked'], 'setting off');
      assert.deepEqual(await verifier.putSettings('acme', { clearLockoutOnPasswordChange: true }), { clearLockoutOnPasswordChange: true });
      assert.deepEqual(await verifier.getSettings('acme'), { clearLockoutOnPasswordChange: true });
      assert.deepEqual(await verifier.getSettings('other'), { clearLockoutOnPasswordChange: false });
      assert.equal((await verifier.check(acme, { userName: 'changer', password: 'New-Pass-1' })).id, id);

      for (let i = 0; i < 3; i++) await assert.rejects(verifier.check(acme, { userName: 'changer', password: 'x' }), refused());
      outcomes.length = 0;
      await assert.rejects(verifier.check(acme, { userName: 'changer', password: 'New-Pass-1' }), refused());
      assert.deepEqual(outcomes, ['locked'], 'the same password: still locked');
      for (let i = 0; i < 3; i++) await assert.rejects(verifier.check(acme, { userName: 'ghost2', password: 'x' }), refused());
      outcomes.length = 0;
      await assert.rejects(verifier.check(acme, { userName: 'ghost2', password: 'x' }), refused());
      assert.deepEqual(outcomes, ['locked'], 'an unknown name has no password to change');
      await assert.rejects(verifier.getSettings('nope'), scim({ status: 404, detail: 'no tenant named "nope"' }));
      await assert.rejects(
        verifier.putSettings('nope', { clearLockoutOnPasswordChange: true }),
        scim({ status: 404, detail: 'no tenant named "nope"' }),
      );
      await verifier.putSettings('acme', { clearLockoutOnPasswordChange: false });
      await verifier.clearLockout('acme', 'changer');
      await verifier.clearLockout('acme', 'ghost2');
    });
  });

  describe('the hash: a cheaper one is redone at the next success', () => {
    it('a hash of lower N is replaced by one of the configured N after a success, not after a failure', async () => {
      const id = await user('cheap', { password: 'Cheap-Pass-1' });
      const cheap = scryptHashOf('Cheap-Pass-1', N / 2);
      assert.ok(await store.replacePasswordHash('t-1', id, (await hashOf('cheap'))!, cheap));
      await assert.rejects(verifier.check(acme, { userName: 'cheap', password: 'Wrong' }), refused());
      assert.equal(await hashOf('cheap'), cheap);
      await verifier.clearLockout('acme', 'cheap');
      assert.equal((await verifier.check(acme, { userName: 'cheap', password: 'Cheap-Pass-1' })).id, id);
      const redone = await hashOf('cheap');
      assert.ok(isScryptOf(redone, 'Cheap-Pass-1', N), String(redone));
      assert.equal((await verifier.check(acme, { userName: 'cheap', password: 'Cheap-Pass-1' })).id, id);
      assert.equal(await hashOf('cheap'), redone, 'a hash of the configured cost stays');
    });
  });
});
