import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, startHarness } from '../helpers/harness.ts';

const ADMIN = 'admin-secret-for-the-console-tests';

interface Call {
  status: number;
  body: any;
  headers: Record<string, unknown>;
}

async function call(
  h: Harness,
  method: string,
  url: string,
  options: { cookie?: string; csrf?: string; body?: unknown; bearer?: string; origin?: string } = {},
): Promise<Call> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers['cookie'] = options.cookie;
  if (options.csrf) headers['x-csrf-token'] = options.csrf;
  if (options.bearer) headers['authorization'] = `Bearer ${options.bearer}`;
  if (options.origin) headers['origin'] = options.origin;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await h.server.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
}

async function signIn(h: Harness, credentials: { token: string } | { link: string }) {
  const res = await call(h, 'POST', '/admin/console/session', { body: credentials });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const setCookie = String(res.headers['set-cookie']);
  const cookie = setCookie.split(';')[0]!;
  return { cookie, csrf: res.body.csrfToken as string, setCookie, body: res.body };
}

/** docs/console.md "Sign-in and sessions": the console's sessions, CSRF, setup links, headers. */
describe('console: sessions, CSRF and setup links over the admin API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ SCIMD_ADMIN_TOKEN: ADMIN });
  });
  after(() => h.close());

  it('exchanges the admin token for an HttpOnly, SameSite=Strict session cookie, never echoing the token', async () => {
    const session = await signIn(h, { token: ADMIN });
    assert.match(
      session.setCookie,
      /^scimd_console=[A-Za-z0-9_-]{40,}; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/,
      'Secure: the harness is reached at https://',
    );
    assert.ok(!session.setCookie.includes(ADMIN));
    assert.equal(session.body.actor, 'SCIMD_ADMIN_TOKEN');
    assert.equal(session.body.tenant, null);
    const tenants = await call(h, 'GET', '/admin/tenants', { cookie: session.cookie });
    assert.equal(tenants.status, 200);
    assert.equal(tenants.headers['cache-control'], 'no-store', 'admin answers are never cached');
    assert.equal((await call(h, 'POST', '/admin/console/session', { body: { token: 'wrong-admin-token-123456' } })).status, 401);
    assert.equal(
      (await call(h, 'POST', '/admin/console/session', { body: { token: h.tokenA } })).status,
      401,
      'a SCIM token is no admin token',
    );
  });

  it('refuses a state-changing call without the session CSRF token, or from another origin; sign-out ends the session', async () => {
    const session = await signIn(h, { token: ADMIN });
    const noCsrf = await call(h, 'POST', '/admin/tenants', { cookie: session.cookie, body: { name: 'csrf-victim' } });
    assert.equal(noCsrf.status, 403);
    const wrongCsrf = await call(h, 'POST', '/admin/tenants', {
      cookie: session.cookie,
      csrf: 'x'.repeat(32),
      body: { name: 'csrf-victim' },
    });
    assert.equal(wrongCsrf.status, 403);
    const foreign = await call(h, 'POST', '/admin/tenants', {
      cookie: session.cookie,
      csrf: session.csrf,
      origin: 'https://evil.example',
      body: { name: 'csrf-victim' },
    });
    assert.equal(foreign.status, 403);
    assert.equal((await call(h, 'GET', '/admin/tenants/csrf-victim', { bearer: ADMIN })).status, 404, 'nothing was created');
    const ok = await call(h, 'POST', '/admin/tenants', { cookie: session.cookie, csrf: session.csrf, body: { name: 'csrf-ok' } });
    assert.equal(ok.status, 201);

    const out = await call(h, 'DELETE', '/admin/console/session', { cookie: session.cookie, csrf: session.csrf });
    assert.equal(out.status, 204);
    assert.match(String(out.headers['set-cookie']), /Max-Age=0/);
    assert.equal((await call(h, 'GET', '/admin/tenants', { cookie: session.cookie })).status, 401, 'the session is gone on the server');
  });

  it('a sign-in link works once and only until it expires', async () => {
    const link = await h.server.consoleSessions.mintSignInLink(5);
    const first = await signIn(h, { link: link.secret });
    assert.equal(first.body.actor, 'console:sign-in-link');
    assert.equal((await call(h, 'POST', '/admin/console/session', { body: { link: link.secret } })).status, 401, 'used once');
    const expired = await h.server.consoleSessions.mintSignInLink(0);
    assert.equal((await call(h, 'POST', '/admin/console/session', { body: { link: expired.secret } })).status, 401, 'expired');
  });

  it('a setup link sees one tenant: every admin route is refused for the other tenant, and all but its own few for its own', async () => {
    const admin = await signIn(h, { token: ADMIN });
    const created = await call(h, 'POST', '/admin/tenants/acme/setup-links', {
      cookie: admin.cookie,
      csrf: admin.csrf,
      body: { expires: '1h' },
    });
    assert.equal(created.status, 201);
    assert.match(created.body.link, /\/console\/#setup=scimd_link_/);
    const secret = created.body.link.split('#setup=')[1];
    const setup = await signIn(h, { link: secret });
    assert.equal(setup.body.tenant, 'acme');

    const acmeToken = (await h.server.tenants.listTokens('acme'))[0]!.id;
    const globexToken = (await h.server.tenants.listTokens('globex'))[0]!.id;
    const allowed = new Set([
      'GET /admin/tenants/acme',
      'GET /admin/tenants/acme/tokens',
      'POST /admin/tenants/acme/tokens',
      `DELETE /admin/tokens/${acmeToken}`,
      `POST /admin/tokens/${acmeToken}/rotate`,
      'GET /admin/tenants/acme/requests',
      'GET /admin/tenants/acme/requests/1',
      'GET /admin/tenants/acme/users',
      'GET /admin/tenants/acme/users/x',
      'GET /admin/tenants/acme/setup',
      'GET /admin/tenants/acme/oauth/clients',
      'POST /admin/tenants/acme/oauth/clients',
      'GET /admin/tenants/acme/oauth/clients/x',
      'PATCH /admin/tenants/acme/oauth/clients/x',
      'DELETE /admin/tenants/acme/oauth/clients/x',
      'POST /admin/tenants/acme/oauth/clients/x/secrets',
      'DELETE /admin/tenants/acme/oauth/clients/x/secrets/x',
      'GET /admin/tenants/acme/openapi.json',
      'GET /admin/console/session',
      'DELETE /admin/console/session',
      'GET /admin/openapi.json',
      'POST /admin/console/session',
    ]);
    const document = (await call(h, 'GET', '/admin/openapi.json')).body;
    let checked = 0;
    for (const [template, operations] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(operations)) {
        if (template === '/admin/console/session' && method === 'delete') continue; // would end the session under test
        for (const tenant of ['acme', 'globex']) {
          const url = template
            .replace('{name}', tenant)
            .replace('{tenant}', tenant)
            .replace(
              '{id}',
              template.startsWith('/admin/tokens')
                ? tenant === 'acme'
                  ? acmeToken
                  : globexToken
                : template.includes('requests')
                  ? '1'
                  : 'x',
            )
            .replace(/\{[a-zA-Z]+\}/g, 'x');
          const key = `${method.toUpperCase()} ${url}`;
          const res = await call(h, method.toUpperCase(), url, {
            cookie: setup.cookie,
            csrf: setup.csrf,
            body: method === 'get' || method === 'delete' ? undefined : {},
          });
          checked++;
          if (allowed.has(key)) assert.notEqual(res.status, 403, `${key} is the setup link's own`);
          else
            assert.ok(res.status === 403 || (res.status === 401 && key.startsWith('POST /admin/console/session')), `${key}: ${res.status}`);
          if (tenant === 'globex')
            assert.ok(!JSON.stringify(res.body ?? '').includes('globex') || res.status === 403, `${key} shows nothing of globex`);
        }
      }
    }
    assert.ok(checked > 40, `every route was tried (${checked})`);
    assert.equal((await call(h, 'GET', `/admin/tokens`, { cookie: setup.cookie })).status, 403);

    const revoked = await call(h, 'DELETE', `/admin/setup-links/${created.body.id}`, { cookie: admin.cookie, csrf: admin.csrf });
    assert.equal(revoked.status, 204);
    assert.equal((await call(h, 'GET', '/admin/tenants/acme/tokens', { cookie: setup.cookie })).status, 401, 'revoking ends its sessions');
    assert.equal((await call(h, 'POST', '/admin/console/session', { body: { link: secret } })).status, 401);
    // An id no link can have (U+0000, which PostgreSQL text cannot hold): 404, not a database error.
    for (const id of ['lnk_unknown', '%00', 'lnk_%00']) {
      const unknown = await call(h, 'DELETE', `/admin/setup-links/${id}`, { cookie: admin.cookie, csrf: admin.csrf });
      assert.equal(unknown.status, 404, `${id}: ${JSON.stringify(unknown.body)}`);
    }
  });

  it('serves the console at /console/ with a strict CSP, no inline script, and no framing', async () => {
    const page = await h.server.app.inject({ method: 'GET', url: '/console/' });
    const csp = String(page.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(!csp.includes('unsafe-inline'));
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.ok(page.statusCode === 200 || page.statusCode === 503, `${page.statusCode}`);
    if (page.statusCode === 200) assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(page.body), 'no inline script');
    assert.equal((await h.server.app.inject({ method: 'GET', url: '/console' })).statusCode, 301);
  });
});

/**
 * docs/console.md "Sign-in and sessions": a session ends after SCIMD_CONSOLE_SESSION_IDLE without
 * a request, and SCIMD_CONSOLE_SESSION_MAX after sign-in however active; its last use is written
 * at most once a minute, not on every request.
 */
describe('console: idle timeout and absolute end of a session', () => {
  let h: Harness;
  let now = Date.parse('2025-06-02T08:00:00Z');
  const minutes = (n: number) => {
    now += n * 60_000;
  };
  before(async () => {
    h = await startHarness(
      { SCIMD_ADMIN_TOKEN: ADMIN, SCIMD_CONSOLE_SESSION_IDLE: '600', SCIMD_CONSOLE_SESSION_MAX: '3600' },
      { clock: () => new Date(now) },
    );
  });
  after(() => h.close());

  const status = async (cookie: string) => (await call(h, 'GET', '/admin/console/session', { cookie })).status;

  it('ends a session no request used for the idle timeout; a request refreshes it', async () => {
    const idle = await signIn(h, { token: ADMIN });
    const used = await signIn(h, { token: ADMIN });
    assert.match(idle.setCookie, /Max-Age=3600;/, 'the cookie lasts until the absolute end');
    minutes(5);
    assert.equal(await status(used.cookie), 200);
    minutes(6);
    assert.equal(await status(idle.cookie), 401, '11 minutes unused');
    assert.equal(await status(used.cookie), 200, 'used 6 minutes ago');
    minutes(9);
    assert.equal(await status(used.cookie), 200, 'used 9 minutes ago');
  });

  it('writes the last use at most once a minute, so the idle timeout counts from that write', async () => {
    const session = await signIn(h, { token: ADMIN });
    now += 30_000;
    assert.equal(await status(session.cookie), 200, 'within the minute: nothing written');
    now += 9 * 60_000 + 45_000;
    assert.equal(await status(session.cookie), 401, '10 minutes 15 s after the last write, though 9 min 45 s after the last request');
  });

  it('ends an active session SCIMD_CONSOLE_SESSION_MAX after sign-in', async () => {
    const session = await signIn(h, { token: ADMIN });
    for (let used = 0; used < 6; used++) {
      minutes(9);
      assert.equal(await status(session.cookie), 200, `${(used + 1) * 9} minutes`);
    }
    minutes(6);
    assert.equal(await status(session.cookie), 401, '60 minutes after sign-in, used 6 minutes ago');
    assert.equal(
      (await call(h, 'GET', '/admin/tenants', { cookie: session.cookie })).body.detail,
      'the console session has expired or was ended: sign in again',
    );
  });

  it('prunes the sessions that ended idle', async () => {
    const session = await signIn(h, { token: ADMIN });
    minutes(11);
    await h.server.consoleSessions.prune();
    minutes(-11);
    assert.equal(await status(session.cookie), 401, 'gone from the database, not only past its idle timeout');
  });
});
