import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Reply, startHarness, USER_SCHEMA, userBody } from '../helpers/harness.ts';
import { assertScryptOf } from '../helpers/password-hash.ts';

/**
 * POST /auth/verify (docs/password-sync.md): the product's modules check a password that an
 * identity provider synchronised. Every refused credential is one and the same 401; why is only
 * in the audit log and the metrics. Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
 */

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ADMIN = 'admin-secret-for-the-verify-tests';
const OKTA_HEADERS = { 'user-agent': 'Okta SCIM Client 1.0.0' };

/** The documented answer to every refused credential (docs/password-sync.md). */
const REFUSED = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
  status: '401',
  detail: 'the user name or password is not valid',
};

/** A server whose clock the tests move forward (lockout delays), with an admin token. */
async function verifyHarness(env: Record<string, string> = {}, options: { readonly stillClock?: boolean } = {}) {
  let offsetMs = 0;
  // A still clock: nothing refills a rate limit between requests however slowly a loaded machine runs them.
  const start = Date.now();
  const clock = options.stillClock ? () => new Date(start + offsetMs) : () => new Date(Date.now() + offsetMs);
  const h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN, ...env }, { clock });
  const acme = (await h.server.passwordVerifier.mintToken('acme')).token;
  const globex = (await h.server.passwordVerifier.mintToken('globex')).token;

  /** A request at the service's origin (the harness's request prefixes the SCIM base path). */
  async function inject(method: string, url: string, token: string | null, body?: unknown): Promise<Reply> {
    const response = await h.server.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body === '' ? undefined : JSON.parse(response.body),
      raw: response.body,
    };
  }

  const verify = (token: string | null, userName: unknown, password: unknown) =>
    inject('POST', '/auth/verify', token, { userName, password });
  const admin = (method: string, url: string, body?: unknown) => inject(method, url, ADMIN, body);

  /** Creates a user in acme with the SCIM token; answers its id. */
  async function createUser(body: Record<string, unknown>, token = h.tokenA): Promise<string> {
    const created = await h.request('POST', '/Users', { token, body });
    assert.equal(created.status, 201, created.raw);
    return created.body.id as string;
  }

  return {
    h,
    acme,
    globex,
    inject,
    verify,
    admin,
    createUser,
    advance: (ms: number) => {
      offsetMs += ms;
    },
    patch: (id: string, operations: unknown[]) =>
      h.request('PATCH', `/Users/${id}`, { body: { schemas: [PATCH_OP], Operations: operations }, headers: OKTA_HEADERS }),
  };
}

type VerifyHarness = Awaited<ReturnType<typeof verifyHarness>>;

function assertRefused(reply: Reply, what: string): void {
  assert.equal(reply.status, 401, `${what}: ${reply.raw}`);
  assert.equal(reply.headers['www-authenticate'], 'Bearer realm="scimd"', `${what}: the token was fine`);
  assert.deepEqual(reply.body, REFUSED, `${what}: the one refusal`);
}

/** The audit reasons of the tenant's verify entries, oldest first. */
async function reasons(v: VerifyHarness, tenant = 'acme'): Promise<string[]> {
  const page = await v.admin('GET', `/admin/audit?tenant=${tenant}&count=1000`);
  assert.equal(page.status, 200, page.raw);
  return (page.body.entries as { operation: string; reason?: string; status: number }[])
    .filter((e) => e.operation === 'verify')
    .reverse()
    .map((e) => e.reason ?? String(e.status));
}

/** What /metrics counts for each outcome. */
async function outcomes(v: VerifyHarness): Promise<Record<string, number>> {
  const text = (await v.h.server.app.inject({ method: 'GET', url: '/metrics' })).body;
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^scimd_password_verifications_total\{outcome="(\w+)"\} (\d+)$/gm))
    counts[match[1]!] = Number(match[2]);
  return counts;
}

describe('POST /auth/verify: password sync that the product can check', () => {
  let v: VerifyHarness;
  before(async () => {
    v = await verifyHarness();
  });
  after(() => v.h.close());

  it('Okta password sync: create with a password, PUT with a new one, path-less PATCH replace; the old one fails at once', async () => {
    const userName = 'okta.sync@example.com';
    const body = (password: string) => ({
      schemas: [USER_SCHEMA],
      userName,
      name: { givenName: 'John', familyName: 'Doe' },
      emails: [{ primary: true, value: userName, type: 'work' }],
      password,
      active: true,
    });
    const created = await v.h.request('POST', '/Users', { body: body('Okta-First-1'), headers: OKTA_HEADERS });
    assert.equal(created.status, 201, created.raw);
    const id = created.body.id;

    const first = await v.verify(v.acme, userName, 'Okta-First-1');
    assert.equal(first.status, 200, first.raw);
    assert.deepEqual(first.body, { id, userName, active: true, tenant: 'acme' });

    const put = await v.h.request('PUT', `/Users/${id}`, { body: body('Okta-Second-2'), headers: OKTA_HEADERS });
    assert.equal(put.status, 200, put.raw);
    assertRefused(await v.verify(v.acme, userName, 'Okta-First-1'), 'the password before the PUT');
    assert.equal((await v.verify(v.acme, userName, 'Okta-Second-2')).status, 200);

    const patched = await v.patch(id, [{ op: 'replace', value: { password: 'Okta-Third-3' } }]);
    assert.equal(patched.status, 200, patched.raw);
    assertRefused(await v.verify(v.acme, userName, 'Okta-Second-2'), 'the password before the PATCH');
    assert.equal((await v.verify(v.acme, userName, 'Okta-Third-3')).status, 200);
  });

  it('Entra ID: a user created with a password verifies, its userName in any case', async () => {
    const id = await v.createUser(userBody('Entra.User@Contoso.com', { password: 'Entra-Pass-1!' }));
    const ok = await v.verify(v.acme, 'entra.user@contoso.COM', 'Entra-Pass-1!');
    assert.equal(ok.status, 200, ok.raw);
    assert.deepEqual(ok.body, { id, userName: 'Entra.User@Contoso.com', active: true, tenant: 'acme' });
    assertRefused(await v.verify(v.acme, 'entra.user@contoso.com', 'entra-pass-1!'), 'a password in another case');
  });

  it('deactivation refuses (and reactivation restores); deletion refuses', async () => {
    const id = await v.createUser(userBody('leaver@example.com', { password: 'Leaver-Pass-1' }));
    assert.equal((await v.verify(v.acme, 'leaver@example.com', 'Leaver-Pass-1')).status, 200);
    assert.equal((await v.patch(id, [{ op: 'Replace', path: 'active', value: 'False' }])).status, 200);
    assertRefused(await v.verify(v.acme, 'leaver@example.com', 'Leaver-Pass-1'), 'a deactivated user');
    assert.equal((await v.patch(id, [{ op: 'Replace', path: 'active', value: 'True' }])).status, 200);
    assert.equal((await v.verify(v.acme, 'leaver@example.com', 'Leaver-Pass-1')).status, 200);
    assert.equal((await v.h.request('DELETE', `/Users/${id}`)).status, 204);
    assertRefused(await v.verify(v.acme, 'leaver@example.com', 'Leaver-Pass-1'), 'a deleted user');
  });

  it('every refusal is the same 401; the reason is in the audit log and the metrics only', async () => {
    await v.createUser(userBody('nopass@example.com'));
    await v.createUser(userBody('inactive@example.com', { password: 'Inactive-Pass-1', active: false }));
    await v.createUser(userBody('known@example.com', { password: 'Known-Pass-1' }));
    const counted = await outcomes(v);
    const replies = [
      await v.verify(v.acme, 'nobody@example.com', 'Whatever-1'),
      await v.verify(v.acme, 'known@example.com', 'Wrong-Pass-1'),
      await v.verify(v.acme, 'inactive@example.com', 'Inactive-Pass-1'),
      await v.verify(v.acme, 'nopass@example.com', 'Whatever-1'),
    ];
    const shapes = replies.map((r) => {
      const { date, 'x-request-id': _id, ...headers } = r.headers;
      return { status: r.status, headers, body: r.raw };
    });
    for (const shape of shapes) assert.deepEqual(shape, shapes[0]);
    for (const reply of replies) assertRefused(reply, 'a refusal');
    assert.deepEqual((await reasons(v)).slice(-4), ['unknown_user', 'wrong_password', 'inactive', 'no_password']);
    const countedAfter = await outcomes(v);
    for (const outcome of ['unknown_user', 'wrong_password', 'inactive', 'no_password']) {
      assert.equal((countedAfter[outcome] ?? 0) - (counted[outcome] ?? 0), 1, outcome);
    }
    const audit = await v.admin('GET', '/admin/audit?tenant=acme&count=1');
    assert.equal(audit.body.entries[0].operation, 'verify');
    assert.equal(audit.body.entries[0].status, 401);
    assert.ok(!JSON.stringify(audit.body).includes('Whatever-1'), 'never a password');
  });

  it('a malformed body is 400 (no credential was refused); other methods are 405', async () => {
    const reply = await v.verify(v.acme, 'known@example.com', 42);
    assert.equal(reply.status, 400, reply.raw);
    assert.equal((await v.inject('GET', '/auth/verify', v.acme)).status, 405);
  });

  it('token scoping, both ways: only a verify token opens it, and it opens nothing else', async () => {
    await v.createUser(userBody('scoped@example.com', { password: 'Scoped-Pass-1' }));
    for (const [what, token] of [
      ['a SCIM token', v.h.tokenA],
      ['the admin token', ADMIN],
      ['no token', null],
      ['a made-up token', 'scimd_verify_not-a-token'],
    ] as const) {
      const reply = await v.verify(token, 'scoped@example.com', 'Scoped-Pass-1');
      assert.equal(reply.status, 401, `${what}: ${reply.raw}`);
      // RFC 6750 §3.1: a token that was sent and refused says so, unlike a refused credential.
      assert.equal(/error="invalid_token"/.test(String(reply.headers['www-authenticate'])), token !== null, what);
    }
    assert.equal((await v.h.request('GET', '/Users', { token: v.acme })).status, 401, 'a verify token on the SCIM API');
    assert.equal((await v.inject('GET', '/admin/tenants', v.acme)).status, 401, 'a verify token on the admin API');
    // Scoped to its tenant: globex's token does not see acme's user, and acme's does not see globex's.
    assertRefused(await v.verify(v.globex, 'scoped@example.com', 'Scoped-Pass-1'), "another tenant's verify token");
    const created = await v.h.request('POST', '/Users', {
      token: v.h.tokenB,
      body: userBody('globex.user@example.com', { password: 'Globex-Pass-1' }),
    });
    assert.equal(created.status, 201);
    const ok = await v.verify(v.globex, 'globex.user@example.com', 'Globex-Pass-1');
    assert.equal(ok.status, 200, ok.raw);
    assert.equal(ok.body.tenant, 'globex');
    assertRefused(await v.verify(v.acme, 'globex.user@example.com', 'Globex-Pass-1'), "acme's token, globex's user");
  });

  it('verify tokens are minted, listed, rotated and revoked through the admin API', async () => {
    const minted = await v.admin('POST', '/admin/tenants/acme/verify-tokens', { label: 'login service' });
    assert.equal(minted.status, 201, minted.raw);
    assert.match(minted.body.token, /^scimd_verify_/);
    const listed = await v.admin('GET', '/admin/tenants/acme/verify-tokens');
    const mine = listed.body.tokens.find((t: { id: string }) => t.id === minted.body.id);
    assert.deepEqual([mine.label, mine.state, mine.token], ['login service', 'active', undefined]);
    assert.equal(
      (await v.admin('GET', '/admin/tokens')).body.tokens.some((t: { id: string }) => t.id === minted.body.id),
      false,
    );
    await v.createUser(userBody('rotated@example.com', { password: 'Rotated-Pass-1' }));
    assert.equal((await v.verify(minted.body.token, 'rotated@example.com', 'Rotated-Pass-1')).status, 200);

    const rotated = await v.admin('POST', `/admin/verify-tokens/${minted.body.id}/rotate`, { overlap: '0m' });
    assert.equal(rotated.status, 201, rotated.raw);
    assert.equal((await v.verify(minted.body.token, 'rotated@example.com', 'Rotated-Pass-1')).status, 401, 'the old token, no overlap');
    assert.equal((await v.verify(rotated.body.token.token, 'rotated@example.com', 'Rotated-Pass-1')).status, 200);
    assert.equal((await v.admin('DELETE', `/admin/verify-tokens/${rotated.body.token.id}`)).status, 200);
    assert.equal((await v.verify(rotated.body.token.token, 'rotated@example.com', 'Rotated-Pass-1')).status, 401, 'revoked');
    assert.equal((await v.admin('DELETE', '/admin/verify-tokens/vtok_missing')).status, 404);
  });
});

describe('POST /auth/verify: lockout with growing delays, and its clearing', () => {
  let v: VerifyHarness;
  before(async () => {
    v = await verifyHarness({
      SCIMD_VERIFY_LOCKOUT_THRESHOLD: '5',
      SCIMD_VERIFY_LOCKOUT_DELAY: '60',
      SCIMD_VERIFY_LOCKOUT_MAX_DELAY: '200',
    });
  });
  after(() => v.h.close());

  async function lockoutOf(userName: string) {
    const listed = await v.admin('GET', '/admin/tenants/acme/lockouts');
    assert.equal(listed.status, 200, listed.raw);
    return listed.body.lockouts.find((l: { userName: string }) => l.userName === userName);
  }

  it('5 failures lock; the right password is then refused unseen; the delay doubles up to the ceiling; the operator clears it', async () => {
    await v.createUser(userBody('locked@example.com', { password: 'Locked-Pass-1' }));
    for (let i = 1; i <= 4; i++) assertRefused(await v.verify(v.acme, 'locked@example.com', `Wrong-${i}`), `failure ${i}`);
    assert.deepEqual((await lockoutOf('locked@example.com')).locked, false);
    assert.equal((await v.verify(v.acme, 'locked@example.com', 'Locked-Pass-1')).status, 200, 'a success forgets the failures');
    assert.equal(await lockoutOf('locked@example.com'), undefined);

    for (let i = 1; i <= 5; i++) assertRefused(await v.verify(v.acme, 'locked@example.com', `Wrong-${i}`), `failure ${i}`);
    const locked = await lockoutOf('locked@example.com');
    assert.equal(locked.failures, 5);
    assert.equal(locked.locked, true);
    const firstDelay = Date.parse(locked.lockedUntil) - Date.parse(locked.lastFailureAt);
    assert.ok(Math.abs(firstDelay - 60_000) < 1000, `first delay ${firstDelay} ms`);
    assertRefused(await v.verify(v.acme, 'LOCKED@example.com', 'Locked-Pass-1'), 'the right password while locked');
    assert.deepEqual((await reasons(v)).slice(-1), ['locked']);

    v.advance(61_000);
    assertRefused(await v.verify(v.acme, 'locked@example.com', 'Wrong-6'), 'failure 6');
    const doubled = await lockoutOf('locked@example.com');
    assert.ok(Math.abs(Date.parse(doubled.lockedUntil) - Date.parse(doubled.lastFailureAt) - 120_000) < 1000, 'doubled');
    v.advance(121_000);
    assertRefused(await v.verify(v.acme, 'locked@example.com', 'Wrong-7'), 'failure 7');
    const capped = await lockoutOf('locked@example.com');
    assert.ok(Math.abs(Date.parse(capped.lockedUntil) - Date.parse(capped.lastFailureAt) - 200_000) < 1000, 'capped at the ceiling');

    assert.equal((await v.admin('DELETE', '/admin/tenants/acme/lockouts/LOCKED@EXAMPLE.COM')).status, 204);
    assert.equal(await lockoutOf('locked@example.com'), undefined);
    assert.equal((await v.verify(v.acme, 'locked@example.com', 'Locked-Pass-1')).status, 200, 'cleared by the operator');
    assert.equal((await v.admin('DELETE', '/admin/tenants/acme/lockouts/locked@example.com')).status, 404);
  });

  it('unknown userNames lock exactly as known ones do: a lockout tells nothing about who exists', async () => {
    for (let i = 1; i <= 5; i++) assertRefused(await v.verify(v.acme, 'ghost@example.com', `Wrong-${i}`), `failure ${i}`);
    const ghost = await lockoutOf('ghost@example.com');
    assert.deepEqual([ghost.failures, ghost.locked], [5, true]);
  });

  it("a password change by the identity provider ends a lockout when the tenant's setting says so", async () => {
    const id = await v.createUser(userBody('changer@example.com', { password: 'Changer-Pass-1' }));
    for (let i = 1; i <= 5; i++) await v.verify(v.acme, 'changer@example.com', `Wrong-${i}`);
    // Setting off (the default): the lockout outlives the change.
    assert.deepEqual((await v.admin('GET', '/admin/tenants/acme/verify-settings')).body, { clearLockoutOnPasswordChange: false });
    assert.equal((await v.patch(id, [{ op: 'replace', path: 'password', value: 'Changer-Pass-2' }])).status, 200);
    assertRefused(await v.verify(v.acme, 'changer@example.com', 'Changer-Pass-2'), 'locked, setting off');
    // Setting on: the next change ends it.
    const put = await v.admin('PUT', '/admin/tenants/acme/verify-settings', { clearLockoutOnPasswordChange: true });
    assert.equal(put.status, 200, put.raw);
    for (let i = 1; i <= 5; i++) await v.verify(v.acme, 'changer@example.com', `Wrong-${i}`);
    assert.equal((await v.patch(id, [{ op: 'replace', path: 'password', value: 'Changer-Pass-3' }])).status, 200);
    assertRefused(await v.verify(v.acme, 'changer@example.com', 'Changer-Pass-2'), 'the old password after the change');
    assert.equal((await v.verify(v.acme, 'changer@example.com', 'Changer-Pass-3')).status, 200, 'the new password, lockout ended');
  });
});

describe('POST /auth/verify: per-token rate limit', () => {
  let v: VerifyHarness;
  before(async () => {
    v = await verifyHarness({ SCIMD_RATE_LIMIT_VERIFY: '1', SCIMD_RATE_LIMIT_VERIFY_BURST: '2' }, { stillClock: true });
  });
  after(() => v.h.close());

  it('a token beyond its burst gets 429 with Retry-After; another token of the tenant is not held back', async () => {
    assertRefused(await v.verify(v.acme, 'a@example.com', 'x'), 'first');
    assertRefused(await v.verify(v.acme, 'a@example.com', 'x'), 'second');
    const limited = await v.verify(v.acme, 'a@example.com', 'x');
    assert.equal(limited.status, 429, limited.raw);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    const other = (await v.h.server.passwordVerifier.mintToken('acme')).token;
    assertRefused(await v.verify(other, 'a@example.com', 'x'), 'another token');
    assert.deepEqual((await reasons(v)).slice(-2), ['rate_limited', 'unknown_user']);
  });
});

describe('POST /auth/verify: the hash, its cost and its rehash', () => {
  let v: VerifyHarness;
  before(async () => {
    v = await verifyHarness({ SCIMD_PASSWORD_SCRYPT_N: '32768' });
  });
  after(() => v.h.close());

  async function storedHash(id: string): Promise<string> {
    const tenant = await v.h.server.store.findTenantByName('acme');
    return (await v.h.server.store.get(tenant!.id, 'User', id, { passwordHash: true }))!.passwordHash!;
  }

  /** The check answers 200 for `password` and 401 for every near miss. */
  async function assertVerifiesOnly(userName: string, password: string): Promise<void> {
    const ok = await v.verify(v.acme, userName, password);
    assert.equal(ok.status, 200, `the password sent: ${ok.raw}`);
    for (const other of [`${password} `, password.slice(0, -1), password.toUpperCase(), `${password}x`, 'Something-Else-1']) {
      assert.equal((await v.verify(v.acme, userName, other)).status, 401, `a near miss: ${JSON.stringify(other)}`);
    }
  }

  it('the stored hash verifies the password sent and no other; a planted bug (the hash of another password) is caught', async () => {
    const id = await v.createUser(userBody('planted@example.com', { password: 'Planted-Pass-1' }));
    await assertVerifiesOnly('planted@example.com', 'Planted-Pass-1');
    // The planted bug: a write path that stores the hash of something else than what was sent.
    const tenant = await v.h.server.store.findTenantByName('acme');
    const salt = Buffer.from('planted-salt-16b');
    const wrong = `scrypt$32768$8$1$${salt.toString('base64url')}$${scryptSync('Planted-Pass-1 ', salt, 32, { N: 32768, r: 8, p: 1, maxmem: 128 << 20 }).toString('base64url')}`;
    assert.ok(await v.h.server.store.replacePasswordHash(tenant!.id, id, await storedHash(id), wrong));
    await v.h.server.passwordVerifier.clearLockout('acme', 'planted@example.com');
    await assert.rejects(assertVerifiesOnly('planted@example.com', 'Planted-Pass-1'), /the password sent/);
  });

  it('a hash of lower cost than SCIMD_PASSWORD_SCRYPT_N is redone at the next successful check, and still verifies', async () => {
    const id = await v.createUser(userBody('rehash@example.com', { password: 'Rehash-Pass-1' }));
    assert.match(await storedHash(id), /^scrypt\$32768\$8\$1\$/, 'new hashes at the configured cost');
    const tenant = await v.h.server.store.findTenantByName('acme');
    const salt = Buffer.from('sixteen-byte-slt');
    const cheap = `scrypt$16384$8$1$${salt.toString('base64url')}$${scryptSync('Rehash-Pass-1', salt, 32, { N: 16384, r: 8, p: 1, maxmem: 64 << 20 }).toString('base64url')}`;
    assertScryptOf(cheap, 'Rehash-Pass-1', 'the cheap hash');
    assert.ok(await v.h.server.store.replacePasswordHash(tenant!.id, id, await storedHash(id), cheap));
    assertRefused(await v.verify(v.acme, 'rehash@example.com', 'Rehash-Pass-2'), 'a wrong password does not rehash');
    assert.equal(await storedHash(id), cheap);
    assert.equal((await v.verify(v.acme, 'rehash@example.com', 'Rehash-Pass-1')).status, 200);
    const redone = await storedHash(id);
    assert.match(redone, /^scrypt\$32768\$8\$1\$/);
    const [, , , , s, key] = redone.split('$') as [string, string, string, string, string, string];
    const derived = scryptSync('Rehash-Pass-1', Buffer.from(s, 'base64url'), 32, { N: 32768, r: 8, p: 1, maxmem: 128 << 20 });
    assert.ok(derived.equals(Buffer.from(key, 'base64url')), 'the new hash is of the password checked');
    assert.equal((await v.verify(v.acme, 'rehash@example.com', 'Rehash-Pass-1')).status, 200);
  });
});

/** Mann–Whitney U, normal approximation (no tie correction: timings do not tie): the two-sided p. */
function mannWhitneyP(a: readonly number[], b: readonly number[]): number {
  const ranked = [...a.map((x) => ({ x, a: true })), ...b.map((x) => ({ x, a: false }))].sort((p, q) => p.x - q.x);
  let rankSum = 0;
  ranked.forEach((r, i) => {
    if (r.a) rankSum += i + 1;
  });
  const u = rankSum - (a.length * (a.length + 1)) / 2;
  const mean = (a.length * b.length) / 2;
  const sd = Math.sqrt((a.length * b.length * (a.length + b.length + 1)) / 12);
  const z = Math.abs(u - mean) / sd;
  // Two-sided tail of the standard normal (Abramowitz–Stegun 7.1.26 for erfc).
  const t = 1 / (1 + 0.3275911 * (z / Math.SQRT2));
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-(z * z) / 2);
  return erfc;
}

const median = (xs: readonly number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;

describe('POST /auth/verify: unknown and known users take the same time', () => {
  let v: VerifyHarness;
  before(async () => {
    v = await verifyHarness({ SCIMD_VERIFY_LOCKOUT_THRESHOLD: '1000', SCIMD_RATE_LIMIT_VERIFY: '0' });
  });
  after(() => v.h.close());

  async function timed(userName: string, password: string): Promise<number> {
    const start = process.hrtime.bigint();
    const reply = await v.verify(v.acme, userName, password);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    assert.equal(reply.status, 401);
    return ms;
  }

  it('a wrong password for a known user and any password for an unknown one: indistinguishable (Mann–Whitney), while a check that skips the hash is told apart', async () => {
    await v.createUser(userBody('timing@example.com', { password: 'Timing-Pass-1' }));
    for (let i = 0; i < 3; i++) {
      await timed('timing@example.com', 'warm-up');
      await timed(`warm${i}@example.com`, 'warm-up');
    }
    const known: number[] = [];
    const unknown: number[] = [];
    const SAMPLES = 30;
    // Interleaved, in a random order per pair: drift in the machine's load falls on both alike.
    for (let i = 0; i < SAMPLES; i++) {
      const pair = [
        async () => known.push(await timed('timing@example.com', `Wrong-${i}`)),
        async () => unknown.push(await timed(`nobody-${i}@example.com`, `Wrong-${i}`)),
      ];
      if (Math.random() < 0.5) pair.reverse();
      for (const step of pair) await step();
    }
    const p = mannWhitneyP(known, unknown);
    const diagnosis = `known median ${median(known).toFixed(1)} ms, unknown median ${median(unknown).toFixed(1)} ms, p = ${p.toExponential(2)}`;
    assert.ok(p > 1e-4, `told apart: ${diagnosis}`);
    assert.ok(Math.abs(median(known) - median(unknown)) < 0.5 * Math.max(median(known), median(unknown)), diagnosis);

    // The test's power: a locked name is refused without hashing (by design, as locks hit unknown
    // names too); against that, the same statistic must tell the difference.
    const locked = await verifyHarness({ SCIMD_VERIFY_LOCKOUT_THRESHOLD: '1', SCIMD_RATE_LIMIT_VERIFY: '0' });
    try {
      await locked.verify(locked.acme, 'locked@example.com', 'x');
      const unhashed: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const start = process.hrtime.bigint();
        assert.equal((await locked.verify(locked.acme, 'locked@example.com', 'x')).status, 401);
        unhashed.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      assert.ok(mannWhitneyP(known, unhashed) < 1e-4, `a check without the hash is told apart: median ${median(unhashed).toFixed(1)} ms`);
    } finally {
      await locked.h.close();
    }
  });
});
