import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_SCHEMA, groupBody, type Harness, startHarness, userBody } from '../helpers/harness.ts';

const ADMIN = 'admin-secret-for-the-tests-0123';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  readonly raw: string;
}

/** A request to /admin (the harness's own helper prefixes the SCIM base path). */
async function admin(h: Harness, method: string, url: string, options: { token?: string | null; body?: unknown } = {}): Promise<Answer> {
  const token = options.token === undefined ? ADMIN : options.token;
  const response = await h.server.app.inject({
    method: method as 'GET',
    url,
    headers: {
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}),
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: response.body ? JSON.parse(response.body) : undefined,
    raw: response.body,
  };
}

function assertScimError(answer: Answer, status: number, scimType?: string) {
  assert.equal(answer.status, status, answer.raw);
  assert.deepEqual(answer.body.schemas, [ERROR_SCHEMA]);
  assert.equal(answer.body.status, String(status));
  assert.equal(answer.body.scimType, scimType);
}

describe('admin API: authentication (docs/administration.md)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN });
  });
  after(() => h.close());

  it('refuses a request without a token with 401 and a Bearer challenge', async () => {
    const answer = await admin(h, 'GET', '/admin/tenants', { token: null });
    assertScimError(answer, 401);
    assert.equal(answer.headers['www-authenticate'], 'Bearer realm="scimd-admin"');
  });

  it('refuses a valid SCIM token on /admin', async () => {
    assertScimError(await admin(h, 'GET', '/admin/tenants', { token: h.tokenA }), 401);
  });

  it('accepts SCIMD_ADMIN_TOKEN, and refuses it on the SCIM API', async () => {
    assert.equal((await admin(h, 'GET', '/admin/tenants')).status, 200);
    assert.equal((await h.request('GET', '/Users', { token: ADMIN })).status, 401);
  });

  it('accepts an admin token minted by the CLI service until it is revoked, and records its use', async () => {
    const minted = await h.server.adminTokens.mint({ label: 'ops' });
    assert.match(minted.token, /^scimd_admin_/);
    assert.equal((await admin(h, 'GET', '/admin/tenants', { token: minted.token })).status, 200);
    assert.equal((await h.request('GET', '/Users', { token: minted.token })).status, 401, 'an admin token is no SCIM token');
    const listed = (await h.server.adminTokens.list()).find((t) => t.id === minted.id);
    assert.ok(listed?.lastUsedAt, 'last use is recorded');
    await h.server.adminTokens.revoke(minted.id);
    assertScimError(await admin(h, 'GET', '/admin/tenants', { token: minted.token }), 401);
  });

  it('serves the OpenAPI description without a token', async () => {
    const answer = await admin(h, 'GET', '/admin/openapi.json', { token: null });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.openapi, '3.1.0');
  });
});

describe('admin API: tenants', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN });
  });
  after(() => h.close());

  it('creates a tenant (201, Location), lists and reads it; a taken name is 409, a bad one 400', async () => {
    const created = await admin(h, 'POST', '/admin/tenants', { body: { name: 'contoso' } });
    assert.equal(created.status, 201, created.raw);
    assert.equal(created.headers['location'], '/admin/tenants/contoso');
    assert.equal(created.body.name, 'contoso');
    assert.equal(created.body.disabled, false);
    const names = (await admin(h, 'GET', '/admin/tenants')).body.tenants.map((t: { name: string }) => t.name);
    assert.deepEqual(names, ['acme', 'contoso', 'globex']);
    assert.equal((await admin(h, 'GET', '/admin/tenants/contoso')).body.id, created.body.id);
    assertScimError(await admin(h, 'POST', '/admin/tenants', { body: { name: 'contoso' } }), 409, 'uniqueness');
    assertScimError(await admin(h, 'POST', '/admin/tenants', { body: { name: 'Not Valid!' } }), 400);
    assertScimError(await admin(h, 'POST', '/admin/tenants', { body: {} }), 400);
    assertScimError(await admin(h, 'GET', '/admin/tenants/nope'), 404);
  });

  it('disabling a tenant refuses its tokens with 403 at once and keeps its data; enabling restores them', async () => {
    const user = await h.request('POST', '/Users', { body: userBody('kept@example.com') });
    assert.equal(user.status, 201);
    const disabled = await admin(h, 'POST', '/admin/tenants/acme/disable');
    assert.equal(disabled.status, 200, disabled.raw);
    assert.equal(disabled.body.disabled, true);
    assert.ok(disabled.body.disabledAt);
    const refused = await h.request('GET', `/Users/${user.body.id}`);
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail, /tenant "acme" is disabled/);
    assert.equal((await h.request('GET', '/Users', { token: h.tokenB })).status, 200, 'other tenants are unaffected');
    assert.equal((await admin(h, 'POST', '/admin/tenants/acme/disable')).body.disabledAt, disabled.body.disabledAt, 'idempotent');
    const enabled = await admin(h, 'POST', '/admin/tenants/acme/enable');
    assert.equal(enabled.body.disabled, false);
    assert.equal(enabled.body.disabledAt, undefined);
    assert.equal((await h.request('GET', `/Users/${user.body.id}`)).status, 200);
  });

  it('PUT /admin/tenants/{name}/profile sets the profile and overrides (docs/profiles.md); the tenant shows them with its behaviours', async () => {
    const fresh = await admin(h, 'GET', '/admin/tenants/globex');
    assert.equal(fresh.body.profile, 'lenient');
    assert.deepEqual(fresh.body.profileOverrides, {});
    assert.equal(fresh.body.behaviours.requirePatchPath, false);

    const set = await admin(h, 'PUT', '/admin/tenants/globex/profile', {
      body: { profile: 'entra', overrides: { uniqueGroupDisplayName: false } },
    });
    assert.equal(set.status, 200, set.raw);
    assert.equal(set.body.profile, 'entra');
    assert.deepEqual(set.body.profileOverrides, { uniqueGroupDisplayName: false });
    assert.equal(set.body.behaviours.uniqueGroupDisplayName, false);
    const listed = (await admin(h, 'GET', '/admin/tenants')).body.tenants.find((t: { name: string }) => t.name === 'globex');
    assert.equal(listed.profile, 'entra');

    const strict = await admin(h, 'PUT', '/admin/tenants/globex/profile', { body: { profile: 'strict' } });
    assert.deepEqual(strict.body.profileOverrides, {}, 'PUT replaces the overrides too');
    assert.deepEqual(strict.body.behaviours, {
      requirePatchPath: true,
      replaceComplexWhole: true,
      rejectUnknownAttributes: true,
      uniqueGroupDisplayName: false,
      rejectMismatchedMemberType: true,
      rejectUnknownMembers: true,
      requireQuotedFilterValues: true,
    });

    const profiles = (await admin(h, 'GET', '/admin/profiles')).body.profiles;
    assert.deepEqual(Object.keys(profiles), ['lenient', 'strict', 'entra', 'okta']);
    assert.deepEqual(profiles.strict, strict.body.behaviours);
    assert.equal(profiles.entra.uniqueGroupDisplayName, true);

    assertScimError(await admin(h, 'PUT', '/admin/tenants/globex/profile', { body: { profile: 'rfc' } }), 400);
    assertScimError(await admin(h, 'PUT', '/admin/tenants/globex/profile', { body: {} }), 400);
    const unknown = await admin(h, 'PUT', '/admin/tenants/globex/profile', {
      body: { profile: 'lenient', overrides: { uniqueNames: true } },
    });
    assertScimError(unknown, 400);
    assert.match(unknown.body.detail, /"uniqueNames" is not a profile behaviour/);
    assertScimError(await admin(h, 'PUT', '/admin/tenants/nope/profile', { body: { profile: 'strict' } }), 404);
    assert.equal((await admin(h, 'GET', '/admin/tenants/globex')).body.profile, 'strict', 'a refused change changes nothing');
    await admin(h, 'PUT', '/admin/tenants/globex/profile', { body: { profile: 'lenient' } });
  });

  it('deletes a tenant with its resources, memberships, events and tokens; other tenants keep theirs', async () => {
    await admin(h, 'POST', '/admin/tenants', { body: { name: 'doomed' } });
    const token = (await admin(h, 'POST', '/admin/tenants/doomed/tokens', { body: { label: 'entra' } })).body.token;
    const u = await h.request('POST', '/Users', { token, body: userBody('same@example.com') });
    await h.request('POST', '/Groups', { token, body: groupBody('Sales', [u.body.id]) }); // created + members.added
    const other = await h.request('POST', '/Users', { token: h.tokenB, body: userBody('same@example.com') });
    assert.equal(other.status, 201);

    const deleted = await admin(h, 'DELETE', '/admin/tenants/doomed');
    assert.equal(deleted.status, 200, deleted.raw);
    assert.deepEqual(deleted.body, { tenant: 'doomed', resources: 2, tokens: 1, events: 3 });
    assertScimError(await admin(h, 'GET', '/admin/tenants/doomed'), 404);
    assert.equal((await h.request('GET', '/Users', { token })).status, 401, 'its tokens are gone');
    assertScimError(await admin(h, 'DELETE', '/admin/tenants/doomed'), 404);
    assert.equal((await h.request('GET', `/Users/${other.body.id}`, { token: h.tokenB })).status, 200);

    // A new tenant of the same name starts empty.
    await admin(h, 'POST', '/admin/tenants', { body: { name: 'doomed' } });
    const fresh = (await admin(h, 'POST', '/admin/tenants/doomed/tokens')).body.token;
    assert.equal((await h.request('GET', '/Users', { token: fresh })).body.totalResults, 0);
  });
});

describe('admin API: SCIM tokens', () => {
  let h: Harness;
  let now = Date.parse('2030-01-01T00:00:00.000Z');
  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN }, { clock: () => new Date(now) });
  });
  after(() => h.close());

  it('mints a token (secret shown once), lists it with its last use and never a secret, revokes it', async () => {
    const minted = await admin(h, 'POST', '/admin/tenants/acme/tokens', { body: { label: 'okta', expires: '90d' } });
    assert.equal(minted.status, 201, minted.raw);
    assert.match(minted.body.token, /^scimd_/);
    assert.equal(minted.body.expiresAt, new Date(now + 90 * 86_400_000).toISOString());
    assert.equal((await h.request('GET', '/Users', { token: minted.body.token })).status, 200);

    const listed = await admin(h, 'GET', '/admin/tenants/acme/tokens');
    const view = listed.body.tokens.find((t: { id: string }) => t.id === minted.body.id);
    assert.deepEqual(view, {
      id: minted.body.id,
      tenant: 'acme',
      label: 'okta',
      state: 'active',
      createdAt: new Date(now).toISOString(),
      expiresAt: minted.body.expiresAt,
      lastUsedAt: new Date(now).toISOString(),
    });
    assert.ok(!listed.raw.includes(minted.body.token), 'no secret in a listing');
    assert.ok(!/hash/i.test(listed.raw));
    assert.ok((await admin(h, 'GET', '/admin/tokens')).body.tokens.some((t: { tenant: string }) => t.tenant === 'globex'));

    const revoked = await admin(h, 'DELETE', `/admin/tokens/${minted.body.id}`);
    assert.equal(revoked.body.state, 'revoked');
    assert.equal((await h.request('GET', '/Users', { token: minted.body.token })).status, 401, 'at once');
    assertScimError(await admin(h, 'DELETE', '/admin/tokens/tok_missing'), 404);
    assertScimError(await admin(h, 'POST', '/admin/tenants/nope/tokens', { body: {} }), 404);
    assertScimError(await admin(h, 'POST', '/admin/tenants/acme/tokens', { body: { expires: 'soon' } }), 400);
  });

  it('rotates a token: both work during the overlap window, then only the new one', async () => {
    const old = (await admin(h, 'POST', '/admin/tenants/acme/tokens', { body: { label: 'entra', expires: '30d' } })).body;
    const rotated = await admin(h, 'POST', `/admin/tokens/${old.id}/rotate`, { body: { overlap: '2h' } });
    assert.equal(rotated.status, 201, rotated.raw);
    assert.equal(rotated.body.token.tenant, 'acme');
    assert.notEqual(rotated.body.token.token, old.token);
    assert.equal(rotated.body.token.expiresAt, new Date(now + 30 * 86_400_000).toISOString(), 'the old lifetime is kept');
    assert.equal(rotated.body.previous.id, old.id);
    assert.equal(rotated.body.previous.expiresAt, new Date(now + 2 * 3_600_000).toISOString());
    const label = (await admin(h, 'GET', '/admin/tenants/acme/tokens')).body.tokens.find(
      (t: { id: string }) => t.id === rotated.body.token.id,
    ).label;
    assert.equal(label, 'entra');

    assert.equal((await h.request('GET', '/Users', { token: old.token })).status, 200, 'the old token works during the overlap');
    assert.equal((await h.request('GET', '/Users', { token: rotated.body.token.token })).status, 200);
    now += 2 * 3_600_000 + 1000;
    assert.equal((await h.request('GET', '/Users', { token: old.token })).status, 401, 'and stops after it');
    assert.equal((await h.request('GET', '/Users', { token: rotated.body.token.token })).status, 200);
    assert.equal(
      (await admin(h, 'GET', '/admin/tenants/acme/tokens')).body.tokens.find((t: { id: string }) => t.id === old.id).state,
      'expired',
    );
    assertScimError(await admin(h, 'POST', `/admin/tokens/${old.id}/rotate`), 400);
  });

  it('rotates without a body (default overlap 24h) and with overlap 0m (the old token stops at once)', async () => {
    const first = (await admin(h, 'POST', '/admin/tenants/globex/tokens')).body;
    const rotated = await admin(h, 'POST', `/admin/tokens/${first.id}/rotate`);
    assert.equal(rotated.status, 201, rotated.raw);
    assert.equal(rotated.body.previous.expiresAt, new Date(now + 24 * 3_600_000).toISOString());
    assert.equal(rotated.body.token.expiresAt, undefined, 'a token without expiry begets one without expiry');
    assert.equal((await h.request('GET', '/Users', { token: rotated.body.token.token })).status, 200);
    const again = await admin(h, 'POST', `/admin/tokens/${rotated.body.token.id}/rotate`, { body: { overlap: '0m' } });
    assert.equal((await h.request('GET', '/Users', { token: rotated.body.token.token })).status, 401);
    assert.equal((await h.request('GET', '/Users', { token: again.body.token.token })).status, 200);
  });
});

describe('admin API: event sinks', () => {
  let h: Harness;
  before(async () => {
    // The relay runs elsewhere (SCIMD_RELAY=off): the backlog still comes from the database.
    h = await startHarness({
      SCIMD_ADMIN_TOKEN: ADMIN,
      SCIMD_RELAY: 'off',
      SCIMD_EVENT_SINKS: 'https://user:pw@hooks.example.com/scim#secret=s3cr3t',
    });
  });
  after(() => h.close());

  it('reports the pending backlog and the age of its oldest event per sink, without credentials', async () => {
    const empty = await admin(h, 'GET', '/admin/event-sinks');
    assert.deepEqual(empty.body, { sinks: [{ sink: 'https://user@hooks.example.com/scim', pending: 0, oldestPendingAgeSeconds: 0 }] });
    await h.request('POST', '/Users', { body: userBody('e1@example.com') });
    await h.request('POST', '/Users', { token: h.tokenB, body: userBody('e2@example.com') });
    const [sink] = (await admin(h, 'GET', '/admin/event-sinks')).body.sinks;
    assert.equal(sink.pending, 2);
    assert.ok(sink.oldestPendingTime);
    assert.ok(sink.oldestPendingAgeSeconds >= 0);
    assert.equal(sink.relay, undefined, 'no relay in this process');
    assert.ok(!JSON.stringify(sink).includes('s3cr3t') && !JSON.stringify(sink).includes(':pw@'));
  });
});

describe('admin API: audit log of SCIM writes', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN });
  });
  after(() => h.close());

  it('records every write, failed ones too, with tenant, token, operation, resource and status; never a body', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('audited@example.com', { password: 'Pa55word!never-logged' }) });
    assert.equal(created.status, 201);
    const id = created.body.id;
    await h.request('POST', '/Users', { body: userBody('audited@example.com') }); // 409
    await h.request('PATCH', `/Users/${id}`, {
      body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Boss' }] },
    });
    await h.request('PUT', `/Users/${id}`, { body: userBody('audited@example.com') });
    await h.request('POST', '/Users/.search', { body: { filter: 'userName eq "x"' } }); // a read: not recorded
    await h.request('GET', `/Users/${id}`); // a read: not recorded
    await h.request('DELETE', `/Users/${id}`, { token: null }); // refused before authentication: not recorded
    await h.request('DELETE', `/Users/${id}`);
    await h.request('DELETE', `/Users/${id}`); // 404
    await h.request('POST', '/Groups', { token: h.tokenB, body: groupBody('Other tenant') });

    const log = await admin(h, 'GET', '/admin/audit?tenant=acme');
    assert.equal(log.status, 200, log.raw);
    const tokenId = (await h.server.tenants.listTokens('acme'))[0]!.id;
    const tenantId = (await h.server.tenants.findTenant('acme')).id;
    assert.deepEqual(
      log.body.entries.map((e: Record<string, unknown>) => [e['operation'], e['resourceType'], e['resourceId'], e['status']]),
      [
        ['delete', 'User', id, 404],
        ['delete', 'User', id, 204],
        ['replace', 'User', id, 200],
        ['patch', 'User', id, 200],
        ['create', 'User', undefined, 409],
        ['create', 'User', id, 201],
      ],
    );
    for (const entry of log.body.entries) {
      assert.equal(entry.tenant, 'acme');
      assert.equal(entry.tenantId, tenantId);
      assert.equal(entry.tokenId, tokenId);
      assert.ok(!Number.isNaN(Date.parse(entry.time)));
    }
    assert.equal(log.body.nextCursor, undefined);
    assert.ok(!log.raw.includes('Pa55word') && !log.raw.includes('audited@example.com'), 'no password, no body');
    const all = (await admin(h, 'GET', '/admin/audit')).body.entries;
    assert.equal(all[0].tenant, 'globex');
    assert.equal(all[0].resourceType, 'Group');
  });

  it('pages newest first with a cursor, and filters by time range', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin(h, 'GET', `/admin/audit?count=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.body.entries.length <= 2);
      seen.push(...page.body.entries.map((e: { seq: number }) => e.seq));
      cursor = page.body.nextCursor;
    } while (cursor);
    const whole = (await admin(h, 'GET', '/admin/audit?count=1000')).body.entries.map((e: { seq: number }) => e.seq);
    assert.deepEqual(seen, whole);
    assert.equal(whole.length, 7);
    assert.deepEqual(
      [...whole].sort((a, b) => b - a),
      whole,
      'newest first',
    );

    assert.equal((await admin(h, 'GET', '/admin/audit?since=2999-01-01T00:00:00Z')).body.entries.length, 0);
    assert.equal((await admin(h, 'GET', '/admin/audit?until=2000-01-01')).body.entries.length, 0);
    assert.equal((await admin(h, 'GET', `/admin/audit?since=2000-01-01&until=2999-01-01`)).body.entries.length, 7);
    assert.equal((await admin(h, 'GET', '/admin/audit?tenant=nobody')).body.entries.length, 0);
    assertScimError(await admin(h, 'GET', '/admin/audit?since=yesterday'), 400);
    assertScimError(await admin(h, 'GET', '/admin/audit?count=0'), 400);
    assertScimError(await admin(h, 'GET', '/admin/audit?cursor=abc'), 400);
  });

  it("keeps a deleted tenant's entries, and records the admin API's own writes with the admin token's id", async () => {
    await admin(h, 'POST', '/admin/tenants', { body: { name: 'initech' } });
    await admin(h, 'POST', '/admin/tenants/initech/disable');
    await admin(h, 'GET', '/admin/tenants/initech'); // a read: not recorded
    await admin(h, 'DELETE', '/admin/tenants/globex');
    const globex = (await admin(h, 'GET', '/admin/audit?tenant=globex')).body.entries;
    assert.deepEqual(
      globex.map((e: Record<string, unknown>) => [e['operation'], e['tokenId'], e['resourceId'], e['status']]),
      [
        ['admin:DELETE /admin/tenants/:name', 'SCIMD_ADMIN_TOKEN', 'globex', 200],
        ['create', globex[1].tokenId, globex[1].resourceId, 201],
      ],
    );
    const initech = (await admin(h, 'GET', '/admin/audit?tenant=initech')).body.entries;
    assert.deepEqual(
      initech.map((e: Record<string, unknown>) => [e['operation'], e['status']]),
      [
        ['admin:POST /admin/tenants/:name/disable', 200],
        ['admin:POST /admin/tenants', 201],
      ],
    );
  });
});
