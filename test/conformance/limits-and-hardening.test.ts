import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { createServer } from '../../src/server.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { ERROR_SCHEMA, groupBody, type Harness, type Reply, startHarness, userBody } from '../helpers/harness.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const enc = encodeURIComponent;

/** The headers docs/limits.md promises on every response, written out here. */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

function assertScimError(res: Reply, status: number, scimType: string | undefined, detail: RegExp): void {
  assert.equal(res.status, status, res.raw);
  assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
  assert.equal(res.body.status, String(status));
  assert.equal(res.body.scimType, scimType);
  assert.match(res.body.detail, detail);
}

/** `{"a":{"a":…1…}}`: `levels` objects, one inside the other. */
const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

describe('docs/limits.md: every bound is configurable and answers 4xx naming the limit', () => {
  let h: Harness;
  let userId = '';
  before(async () => {
    h = await startHarness({
      SCIMD_MAX_BODY_BYTES: '4096',
      SCIMD_MAX_JSON_DEPTH: '8',
      SCIMD_MAX_FILTER_LENGTH: '256',
      SCIMD_MAX_FILTER_DEPTH: '4',
      SCIMD_MAX_PATCH_OPERATIONS: '3',
      SCIMD_MAX_ATTRIBUTE_LIST_LENGTH: '256',
      SCIMD_MAX_ATTRIBUTE_NAMES: '8',
      SCIMD_MAX_RESULTS: '5',
      SCIMD_DEFAULT_PAGE_SIZE: '5',
    });
    const created = await h.request('POST', '/Users', { body: userBody('limits@example.com') });
    userId = created.body.id;
  });
  after(() => h.close());

  it('body size: over SCIMD_MAX_BODY_BYTES → 413', async () => {
    const res = await h.request('POST', '/Users', { body: userBody('big@example.com', { title: 'x'.repeat(5000) }) });
    assertScimError(res, 413, undefined, /larger than the server accepts/);
  });

  it('JSON nesting: SCIMD_MAX_JSON_DEPTH levels pass, one more → 400 invalidSyntax, on every body', async () => {
    // The body object is level 1, so a member nested 7 deep makes 8 levels.
    const atLimit = await h.request('POST', '/Users', {
      rawBody: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"deep@example.com","x":${nested(7)}}`,
    });
    assert.equal(atLimit.status, 201, atLimit.raw);
    for (const [method, url] of [
      ['POST', '/Users'],
      ['PATCH', `/Users/${userId}`],
      ['PUT', `/Users/${userId}`],
      ['POST', '/.search'],
    ] as const) {
      const res = await h.request(method, url, { rawBody: `{"schemas":[],"x":${nested(8)}}` });
      assertScimError(res, 400, 'invalidSyntax', /^the request body nests JSON deeper than 8 levels \(at offset \d+\)$/);
    }
    const huge = await h.request('POST', '/Users', { rawBody: `${'['.repeat(2000)}${']'.repeat(2000)}` });
    assertScimError(huge, 400, 'invalidSyntax', /deeper than 8 levels/);
  });

  it('filter length and depth: GET and POST .search → 400 invalidFilter', async () => {
    const long = `userName eq "${'x'.repeat(250)}"`;
    assertScimError(await h.request('GET', `/Users?filter=${enc(long)}`), 400, 'invalidFilter', /^filter longer than 256 characters/);
    assertScimError(
      await h.request('POST', '/.search', { body: { schemas: [SEARCH], filter: long } }),
      400,
      'invalidFilter',
      /longer than 256/,
    );
    const deep = `${'('.repeat(5)}userName pr${')'.repeat(5)}`;
    assertScimError(await h.request('GET', `/Users?filter=${enc(deep)}`), 400, 'invalidFilter', /nested deeper than 4 levels/);
    const fine = `${'('.repeat(4)}userName pr${')'.repeat(4)}`;
    assert.equal((await h.request('GET', `/Users?filter=${enc(fine)}`)).status, 200);
  });

  it('PATCH paths and sortBy share the filter bounds', async () => {
    const path = `emails[${'('.repeat(5)}type eq "work"${')'.repeat(5)}].value`;
    const res = await h.request('PATCH', `/Users/${userId}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path, value: 'x' }] },
    });
    assertScimError(res, 400, 'invalidFilter', /nested deeper than 4 levels/);
    const longPath = await h.request('PATCH', `/Users/${userId}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'a'.repeat(300), value: 'x' }] },
    });
    assertScimError(longPath, 400, 'invalidPath', /path longer than 256 characters/);
    assertScimError(await h.request('GET', `/Users?sortBy=${'a'.repeat(300)}`), 400, 'invalidPath', /longer than 256/);
  });

  it('PATCH operations: SCIMD_MAX_PATCH_OPERATIONS pass, one more → 400 invalidValue', async () => {
    const op = { op: 'replace', path: 'title', value: 'ok' };
    assert.equal((await h.request('PATCH', `/Users/${userId}`, { body: { schemas: [PATCH_OP], Operations: [op, op, op] } })).status, 200);
    const res = await h.request('PATCH', `/Users/${userId}`, { body: { schemas: [PATCH_OP], Operations: [op, op, op, op] } });
    assertScimError(res, 400, 'invalidValue', /^"Operations" has 4 operations; at most 3 are accepted$/);
  });

  it('attribute lists: names and length, in query strings and .search bodies → 400', async () => {
    const nine = Array.from({ length: 9 }, (_, i) => `a${i}`).join(',');
    assertScimError(await h.request('GET', `/Users?attributes=${nine}`), 400, undefined, /^attribute list names more than 8 attributes$/);
    assertScimError(await h.request('GET', `/Users/${userId}?excludedAttributes=${nine}`), 400, undefined, /more than 8 attributes/);
    assertScimError(
      await h.request('POST', '/Users/.search', { body: { schemas: [SEARCH], attributes: nine.split(',') } }),
      400,
      undefined,
      /more than 8/,
    );
    assertScimError(
      await h.request('GET', `/Users?attributes=${'a'.repeat(257)}`),
      400,
      undefined,
      /^attribute list is longer than 256 characters$/,
    );
  });

  it('count: above SCIMD_MAX_RESULTS is clamped (RFC 7644 §3.4.2.4); beyond 2^53 → 400 invalidCount', async () => {
    for (let i = 0; i < 6; i++) await h.request('POST', '/Users', { body: userBody(`page${i}@example.com`) });
    const page = await h.request('GET', '/Users?count=1000');
    assert.equal(page.status, 200);
    assert.equal(page.body.itemsPerPage, 5);
    assertScimError(await h.request('GET', '/Users?count=99999999999999999999'), 400, 'invalidCount', /count must be an integer/);
    const far = await h.request('GET', '/Users?startIndex=9007199254740991');
    assert.equal(far.status, 200);
    assert.deepEqual(far.body.Resources, []);
  });

  it('the event feed: after and Last-Event-ID beyond 2^53 → 400 invalidValue', async () => {
    assertScimError(
      await h.request('GET', '/Events?after=99999999999999999999'),
      400,
      'invalidValue',
      /after must be a non-negative integer below 2\^53/,
    );
    assertScimError(await h.request('GET', '/Events', { headers: { 'last-event-id': '1e3' } }), 400, 'invalidValue', /after must be/);
  });

  it('URLs: a path segment over the router limit → 414, bad percent-encoding → 400, both SCIM errors', async () => {
    const long = await h.request('GET', `/Users/${'x'.repeat(200)}`);
    assertScimError(long, 414, undefined, /path segment of the request URL is too long/);
    assert.equal(long.headers['x-content-type-options'], 'nosniff');
    const bad = await h.request('GET', '/Users/%zz');
    assertScimError(bad, 400, undefined, /request URL is malformed/);
    assert.equal(bad.headers['cache-control'], 'no-store');
  });

  it('an event stream with count=0 still delivers events (a zero page once spun forever)', async () => {
    const address = await h.server.app.listen({ host: '127.0.0.1', port: 0 });
    const abort = new AbortController();
    try {
      const response = await fetch(`${address}${h.base}/Events?after=0&count=0`, {
        headers: { authorization: `Bearer ${h.tokenA}`, accept: 'text/event-stream' },
        signal: abort.signal,
      });
      assert.equal(response.status, 200);
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        assert.equal(response.headers.get(name), value, `event stream: ${name}`);
      const reader = response.body!.getReader();
      let text = '';
      const deadline = Date.now() + 10_000;
      while (!text.includes('scim.user.created') && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      assert.match(text, /event: scim\.user\.created/);
    } finally {
      abort.abort();
    }
  });
});

describe('security headers on every response', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ SCIMD_MAX_BODY_BYTES: '4096' });
  });
  after(() => h.close());

  it('success, errors, 404s, 405s, 304s and the unauthenticated endpoints all carry them', async () => {
    const user = await h.request('POST', '/Users', { body: userBody('headers@example.com') });
    const group = await h.request('POST', '/Groups', { body: groupBody('Headers') });
    const replies: Array<[string, Reply]> = [
      ['201 create', user],
      ['200 get', await h.request('GET', `/Users/${user.body.id}`)],
      [
        '304 not modified',
        await h.request('GET', `/Users/${user.body.id}`, { headers: { 'if-none-match': user.headers['etag'] as string } }),
      ],
      [
        '204 minimal',
        await h.request('PATCH', `/Groups/${group.body.id}`, {
          body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'H2' }] },
          headers: { prefer: 'return=minimal' },
        }),
      ],
      ['200 list', await h.request('GET', '/Users?filter=userName%20pr')],
      ['200 discovery', await h.request('GET', '/ServiceProviderConfig')],
      ['200 events', await h.request('GET', '/Events')],
      ['400', await h.request('GET', '/Users?filter=(')],
      ['401', await h.request('GET', '/Users', { token: null })],
      ['404 unknown route', await h.request('GET', '/Nowhere')],
      ['404 unknown id', await h.request('GET', '/Users/nope')],
      ['405', await h.request('DELETE', '/Users')],
      ['413', await h.request('POST', '/Users', { body: userBody('x@example.com', { title: 'x'.repeat(5000) }) })],
      ['415', await h.request('POST', '/Users', { rawBody: 'a=b', headers: { 'content-type': 'text/plain' } })],
      ['200 healthz', await h.request('GET', '/healthz')],
      ['200 readyz', await h.request('GET', '/readyz')],
      ['200 metrics', await h.request('GET', '/metrics', { token: null })],
    ];
    for (const [label, res] of replies) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) assert.equal(res.headers[name], value, `${label}: ${name}`);
    }
    const statuses = Object.fromEntries(replies.map(([label, res]) => [label, res.status]));
    assert.equal(statuses['304 not modified'], 304);
    assert.equal(statuses['204 minimal'], 204);
    assert.equal(statuses['200 metrics'], 200);
    assert.equal(statuses['200 readyz'], 200);
  });
});

describe('rfc7644 §3.12: an unexpected failure says nothing internal', () => {
  const SQL_MESSAGE = 'SQLITE_ERROR: no such column: secret_col in SELECT doc FROM resources WHERE tenant_id = ?';
  const logLines: string[] = [];
  let server: Awaited<ReturnType<typeof createServer>>;
  let token = '';

  before(async () => {
    const config = loadConfig({ SCIMD_DATABASE_URL: 'sqlite::memory:' });
    const real = await openStore(config.databaseUrl);
    // A store whose list query fails as a driver would: SQL text in the message, a stack trace.
    const failing = new Proxy(real, {
      get(target, name, receiver) {
        if (name === 'query') return async () => Promise.reject(new Error(SQL_MESSAGE));
        const value: unknown = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Store;
    server = await createServer(config, {
      store: failing,
      logger: { level: 'error', stream: { write: (line: string) => void logLines.push(line) } },
    });
    await server.tenants.createTenant('acme');
    token = (await server.tenants.mintToken('acme')).token;
  });
  after(() => server.close());

  it('→ 500 with a request id, no SQL and no stack in the body; the log has the cause', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/scim/v2/Users', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.statusCode, 500);
    const body = JSON.parse(res.body) as { schemas: string[]; status: string; detail: string };
    assert.deepEqual(body.schemas, [ERROR_SCHEMA]);
    assert.equal(body.status, '500');
    assert.match(body.detail, /^internal server error \(request id [0-9a-f-]{36}\)$/);
    assert.ok(!/SELECT|SQLITE|secret_col|\bat\s/.test(res.body), res.body);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.ok(
      logLines.some((l) => l.includes('secret_col')),
      'the operator still finds the cause in the log',
    );
  });
});
