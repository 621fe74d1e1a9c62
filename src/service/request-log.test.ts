import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RequestLogConfig } from '../config/config.ts';
import { ScimError } from '../errors/scim-error.ts';
import { parseSchema, tenantRegistry } from '../schema/custom.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { openStore } from '../store/open.ts';
import type { RequestLogRange, RequestLogRecord, RequestLogStore } from '../store/ports/request-log.ts';
import type { Store } from '../store/ports/store.ts';
import { createRequestLog, type RequestLog } from './request-log.ts';

/** A request as the HTTP layer hands it to the log. */
type CapturedRequest = Parameters<RequestLog['record']>[0];

/**
 * The request log of the SCIM API (docs/console.md, "The request log"): what an entry holds, the
 * secrets it never holds, the body cap, the settings, the admin API's filters and paging, and
 * pruning. Everything through the log's own functions, on a real in-memory SQLite store.
 */

const HR = 'urn:example:params:scim:schemas:extension:hr:2.0:User';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
/** docs/console.md, "Settings and pruning": the defaults, but for the body cap of some tests. */
const DEFAULTS: RequestLogConfig = { mode: 'all', retentionSeconds: 604_800, maxBodyBytes: 16_384, maxTenantBytes: 268_435_456 };
const T0 = Date.parse('2026-03-01T10:00:00.000Z');

/** When a captured request arrived, as the HTTP layer says it (epoch milliseconds in, the one place that knows the field). */
const arrived = (ms: number) => ({ arrivedMs: ms });

/** A request as the HTTP layer captures it: a plain authenticated GET /Users at T0, unless overridden. */
function captured(tenantId: string, overrides: Partial<CapturedRequest> = {}): CapturedRequest {
  return {
    tenantId,
    ...arrived(T0),
    method: 'GET',
    path: '/Users',
    query: '',
    status: 200,
    latencyMs: 1.5,
    requestId: 'req-1',
    tokenId: 'tok_1',
    userAgent: undefined,
    resourceId: undefined,
    body: undefined,
    unparsedBody: undefined,
    response: undefined,
    bearer: undefined,
    ...overrides,
  };
}

/** An entry as stored, without its seq (the only field the log chooses). */
const stored = (record: RequestLogRecord | undefined) => {
  assert.ok(record, 'an entry');
  const { seq, ...rest } = record;
  assert.ok(Number.isSafeInteger(seq) && seq > 0);
  return rest;
};

/** The fields of an entry that every test below leaves as they are. */
const PLAIN = {
  time: '2026-03-01T10:00:00.000Z',
  method: 'GET',
  path: '/Users',
  query: '',
  status: 200,
  scimType: undefined,
  latencyMs: 1.5,
  requestId: 'req-1',
  tokenId: 'tok_1',
  client: 'other',
  userAgent: undefined,
  resourceId: undefined,
  requestBody: undefined,
  requestBytes: 0,
  requestCut: false,
  responseBody: undefined,
  responseBytes: 0,
  responseCut: false,
  operations: undefined,
};

function badRequest(detail: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError, String(error));
    assert.deepEqual([error.status, error.scimType, error.detail], [400, undefined, detail]);
    return true;
  };
}

describe('the request log (docs/console.md, "The request log")', () => {
  let store: Store;
  let now = T0;
  const base = createCoreRegistry();
  // Tenant "hr" has an extension attribute defined returned: never: a secret of that tenant only.
  const hr = tenantRegistry(base, [
    {
      resourceType: 'User',
      required: false,
      schema: parseSchema({ id: HR, attributes: [{ name: 'badgePin', type: 'string', returned: 'never' }] }),
    },
  ]);
  const registries = { forTenant: async (tenantId: string) => (tenantId === 'hr' ? hr : base) };
  const open = (config: Partial<RequestLogConfig> = {}, over: Partial<Parameters<typeof createRequestLog>[0]> = {}) =>
    createRequestLog({ store, registries, config: { ...DEFAULTS, ...config }, clock: () => new Date(now), ...over });
  /** Records the requests (of one tenant) and reads their entries back, in the order recorded. */
  async function roundTrip(log: ReturnType<typeof open>, requests: readonly CapturedRequest[]) {
    for (const r of requests) log.record(r);
    return (await log.page(requests[0]!.tenantId, {}, requests.length)).entries.toReversed();
  }

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    for (const id of ['acme', 'hr', 'modes', 'bodies', 'bulk', 'filters', 'paging', 'many', 'big', 'other', 'down']) {
      await store.createTenant({ id, name: id, createdAt: new Date(T0).toISOString() });
    }
  });
  after(() => store.close());

  it('an entry holds what the request was: time, method, path, query, status, latency, request id, token, resource id', async () => {
    const log = open();
    const [entry] = await roundTrip(log, [
      captured('acme', { method: 'DELETE', path: '/Users/u-1', query: 'attributes=userName', status: 204, resourceId: 'u-1' }),
    ]);
    assert.deepEqual(stored(entry), {
      ...PLAIN,
      tenantId: 'acme',
      method: 'DELETE',
      path: '/Users/u-1',
      query: 'attributes=userName',
      status: 204,
      resourceId: 'u-1',
    });
    assert.deepEqual(stored(await log.find('acme', String(entry!.seq))), stored(entry), 'GET …/requests/{id}');
  });

  it('both bodies as text with their whole size; latency to the microsecond; the User-Agent, at most 300 characters', async () => {
    const log = open();
    const response = `{"schemas":["${ERROR}"],"scimType":"uniqueness","detail":"userName taken","status":"409"}`;
    const [conflict, ok, agent] = await roundTrip(log, [
      captured('acme', { method: 'POST', body: { userName: 'bjensen' }, status: 409, response, latencyMs: 12.345_67 }),
      captured('acme', { status: 200, response, latencyMs: 0.000_4 }),
      captured('acme', { userAgent: `agent/${'x'.repeat(400)}` }),
    ]);
    assert.deepEqual(stored(conflict), {
      ...PLAIN,
      tenantId: 'acme',
      method: 'POST',
      status: 409,
      scimType: 'uniqueness',
      latencyMs: 12.346,
      requestBody: '{"userName":"bjensen"}',
      requestBytes: 22,
      responseBody: response,
      responseBytes: Buffer.byteLength(response),
    });
    assert.deepEqual([ok!.scimType, ok!.latencyMs], [undefined, 0], 'a scimType only for an error answer');
    assert.equal(agent!.userAgent, `agent/${'x'.repeat(294)}`);
    const [invalid] = await roundTrip(log, [captured('acme', { status: 400, response: '{"scimType" : "invalidValue"}' })]);
    assert.equal(invalid!.scimType, 'invalidValue', 'from 400 on');
    const [noBody] = await roundTrip(log, [captured('acme', { status: 500 })]);
    assert.equal(noBody!.scimType, undefined, 'an error answer without a body');
  });

  it('client: okta or entra by the User-Agent, entra by the shapes only it sends, else other', async () => {
    const log = open();
    const cases: Array<[Partial<CapturedRequest>, string]> = [
      [{ userAgent: 'Okta SCIM Client 1.0.0' }, 'okta'],
      [{ userAgent: 'Microsoft.Identity.Provisioning' }, 'entra'],
      [{ userAgent: 'Azure AD provisioning' }, 'entra'],
      [{ userAgent: 'Entra ID SCIM' }, 'entra'],
      [{ userAgent: 'the AAD client' }, 'entra'],
      [{ userAgent: 'aadOptscim-less agent' }, 'other'],
      [{ userAgent: 'curl/8.0', query: 'aadOptscim062020' }, 'entra'],
      [{ method: 'PATCH', body: { schemas: [], Operations: [{ op: 'Replace', path: 'active', value: false }] } }, 'entra'],
      [{ method: 'PATCH', body: { schemas: [], Operations: [{ op: 'replace', path: 'active', value: false }] } }, 'other'],
      [{ method: 'POST', body: { schemas: ['http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'] } }, 'entra'],
      [{ userAgent: 'Okta', query: 'aadOptscim062020' }, 'okta'],
      [{}, 'other'],
    ];
    const entries = await roundTrip(
      log,
      cases.map(([c]) => captured('acme', c)),
    );
    assert.deepEqual(
      entries.map((e) => e.client),
      cases.map(([, client]) => client),
    );
  });

  it('secrets never reach it: secret members, PATCH values on a secret path, filter values, credential query parameters', async () => {
    const log = open();
    const [search, query, patch, plain] = await roundTrip(log, [
      captured('acme', { method: 'POST', path: '/Users/.search', body: { filter: 'password eq "pw-search-1"', count: 2 } }),
      captured('acme', { query: 'access_token=qt-123456&filter=PASSWORD%20eq%20%22pw-query-1%22&count=2' }),
      captured('acme', {
        method: 'PATCH',
        path: '/Users/u-1',
        body: {
          Operations: [
            { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: 'pw-patch-1' },
            { op: 'replace', path: 'displayName', value: 'Babs' },
            { op: 'add', value: { Password: 'pw-patch-2', nickName: 'B' } },
          ],
        },
      }),
      captured('acme', { method: 'POST', body: { userName: 'bjensen', emails: [{ value: 'b@example.com' }] } }),
    ]);
    assert.equal(search!.requestBody, '{"filter":"password eq \\"[redacted]\\"","count":2}');
    assert.equal(query!.query, 'access_token=%5Bredacted%5D&filter=PASSWORD+eq+%22%5Bredacted%5D%22&count=2');
    assert.deepEqual(JSON.parse(patch!.requestBody!), {
      Operations: [
        { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', value: '[redacted]' },
        { op: 'replace', path: 'displayName', value: 'Babs' },
        { op: 'add', value: { Password: '[redacted]', nickName: 'B' } },
      ],
    });
    assert.equal(plain!.requestBody, '{"userName":"bjensen","emails":[{"value":"b@example.com"}]}', 'a body without secrets as sent');
    const [unqueried] = await roundTrip(log, [captured('acme', { query: 'filter=userName%20eq%20%22bjensen%22' })]);
    assert.equal(unqueried!.query, 'filter=userName%20eq%20%22bjensen%22', 'a query without secrets as sent');
  });

  it("a tenant's own returned: never attribute is a secret there only", async () => {
    const log = open();
    const body = { schemas: [HR], [HR]: { badgePin: 'pin-48151623' } };
    const [hrEntry] = await roundTrip(log, [captured('hr', { method: 'POST', body })]);
    const [acmeEntry] = await roundTrip(log, [captured('acme', { method: 'POST', body })]);
    assert.deepEqual(JSON.parse(hrEntry!.requestBody!), { schemas: [HR], [HR]: { badgePin: '[redacted]' } });
    assert.deepEqual(JSON.parse(acmeEntry!.requestBody!), body, 'no such attribute in acme: its name is no credential name');
  });

  it('every secret found, and the bearer token, is scrubbed from the other fields, raw, JSON-escaped and URL-encoded', async () => {
    const log = open();
    const secret = 'pw"Scrub 1';
    const bearer = 'scimd_bearer_0123456789';
    const [entry] = await roundTrip(log, [
      captured('acme', {
        method: 'POST',
        path: `/Users/${bearer}`,
        query: `x=${encodeURIComponent(secret)}&y=${bearer}`,
        userAgent: `agent ${bearer}`,
        body: { userName: 'bjensen', password: secret, displayName: bearer },
        status: 400,
        response: JSON.stringify({ detail: `bad password ${secret} with ${bearer}` }),
        bearer,
      }),
    ]);
    assert.deepEqual(
      [entry!.path, entry!.query, entry!.userAgent, entry!.requestBody, entry!.responseBody],
      [
        '/Users/[redacted]',
        'x=[redacted]&y=[redacted]',
        'agent [redacted]',
        '{"userName":"bjensen","password":"[redacted]","displayName":"[redacted]"}',
        '{"detail":"bad password [redacted] with [redacted]"}',
      ],
    );
    const [shortOne] = await roundTrip(log, [
      captured('acme', { body: { password: 'abc' }, response: '{"detail":"abc"}', userAgent: 'abc', bearer: 'xyz' }),
    ]);
    assert.deepEqual(
      [shortOne!.requestBody, shortOne!.responseBody, shortOne!.userAgent],
      ['{"password":"[redacted]"}', '{"detail":"abc"}', 'abc'],
      'values under four characters are redacted where they stand, scrubbed nowhere else',
    );
  });

  it('a body that is not JSON (400 invalidSyntax) keeps its member names and loses its strings, which are scrubbed elsewhere', async () => {
    const log = open();
    const [entry] = await roundTrip(log, [
      captured('acme', {
        method: 'POST',
        status: 400,
        unparsedBody: '{"userName":"bjensen","password":"pw-unparsed-1',
        response: '{"detail":"near pw-unparsed-1"}',
      }),
    ]);
    assert.deepEqual(
      [entry!.requestBody, entry!.requestBytes, entry!.responseBody],
      ['{"userName":"[redacted]","password":"[redacted]"', 48, '{"detail":"near [redacted]"}'],
    );
  });

  it('SCIMD_REQUEST_LOG_BODY_BYTES: each body cut to that many bytes on a character boundary, marked cut, with its whole size', async () => {
    const log = open({ maxBodyBytes: 10 });
    const [entry] = await roundTrip(log, [captured('bodies', { method: 'POST', body: 'aaaaaaaaé', response: '0123456789' })]);
    assert.deepEqual(
      [entry!.requestBody, entry!.requestBytes, entry!.requestCut, entry!.responseBody, entry!.responseBytes, entry!.responseCut],
      ['"aaaaaaaa', 12, true, '0123456789', 10, false],
    );
    const [longer] = await roundTrip(log, [captured('bodies', { response: '0123456789A' })]);
    assert.deepEqual([longer!.responseBody, longer!.responseBytes, longer!.responseCut], ['0123456789', 11, true]);
    const [whole] = await roundTrip(log, [captured('bodies', { method: 'POST', body: 'aaaaaaé' })]);
    assert.deepEqual([whole!.requestBody, whole!.requestBytes, whole!.requestCut], ['"aaaaaaé"', 10, false]);
    // A U+FFFD the client sent stays: only the character the cut split goes.
    const [replacement] = await roundTrip(log, [captured('bodies', { response: 'a\uFFFDbcdefgh€' })]);
    assert.deepEqual([replacement!.responseBody, replacement!.responseBytes], ['a\uFFFDbcdefg', 14]);
  });

  it('SCIMD_REQUEST_LOG: off records nothing, errors only answers of 400 and above', async () => {
    const off = open({ mode: 'off' });
    off.record(captured('modes', { status: 500 }));
    assert.deepEqual(await off.page('modes', {}), { entries: [], nextCursor: undefined });
    const errors = open({ mode: 'errors' });
    for (const status of [200, 399, 400, 404, 503]) errors.record(captured('modes', { status }));
    assert.deepEqual(
      (await errors.page('modes', {})).entries.map((e) => e.status),
      [503, 404, 400],
    );
    assert.deepEqual(errors.counts(), { queued: 0, written: 3, dropped: 0, failed: 0 });
  });

  it('an answered POST /Bulk lists its operations from the BulkResponse: method, path (as sent with a bulkId), status, resource', async () => {
    const log = open();
    const created = '2819c223-7f76-453a-919d-413861904646';
    const existing = '902c246b-6245-4190-8e05-00816be7344a';
    const longPath = `/Users/${'p'.repeat(400)}`;
    const body = {
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'new', data: { userName: 'a', password: 'pw-bulk-1' } },
        { method: 'POST', path: '/Groups', bulkId: 'new', data: {} },
        { method: 'PATCH', path: `/Users/${existing}`, data: {} },
        { method: 'DELETE', path: longPath, bulkId: 'long' },
      ],
    };
    const response = JSON.stringify({
      schemas: [BULK_RESPONSE],
      Operations: [
        { method: 'POST', bulkId: 'new', location: `https://scim.example.com/scim/v2/Users/${created}`, status: '201' },
        { method: 'PATCH', location: `https://scim.example.com/scim/v2/Users/${existing}`, status: '200' },
        { method: `DELETE${'E'.repeat(30)}`, bulkId: 'long', status: '404' },
        'not an operation',
        { status: 400 },
      ],
    });
    const [entry] = await roundTrip(log, [captured('bulk', { method: 'POST', path: '/Bulk', body, response })]);
    assert.deepEqual(entry!.operations, [
      { method: 'POST', path: '/Users', status: 201, resourceId: created },
      { method: 'PATCH', path: `/Users/${existing}`, status: 200, resourceId: existing },
      { method: `DELETE${'E'.repeat(14)}`, path: longPath.slice(0, 300), status: 404 },
      { status: 400 },
    ]);
    assert.ok(!entry!.requestBody!.includes('pw-bulk-1'));
    const found = async (resourceId: string) => (await log.page('bulk', { resourceId })).entries.map((e) => e.path);
    assert.deepEqual([await found(created), await found(existing), await found('other')], [['/Bulk'], ['/Bulk'], []]);

    // Only an answered POST /Bulk (200 with a BulkResponse) has operations.
    const others = await roundTrip(log, [
      captured('bulk', { method: 'POST', path: '/Bulk/', body, response }),
      captured('bulk', { method: 'PUT', path: '/Bulk', body, response }),
      captured('bulk', { method: 'POST', path: '/Bulkx', body, response }),
      captured('bulk', { method: 'POST', path: '/Bulk', body, status: 413, response }),
      captured('bulk', { method: 'POST', path: '/Bulk', body }),
      captured('bulk', { method: 'POST', path: '/Bulk', body, response: 'not json' }),
      captured('bulk', { method: 'POST', path: '/Bulk', body, response: '{"schemas":[]}' }),
    ]);
    assert.deepEqual(
      others.map((e) => e.operations?.length),
      [4, undefined, undefined, undefined, undefined, undefined, undefined],
    );
  });

  it('filters: status classes, method, path prefix, resource id, since (inclusive) and until (exclusive)', async () => {
    const log = open();
    const at = (s: number) => new Date(T0 + s * 1000).toISOString();
    const after = (s: number) => arrived(T0 + s * 1000);
    await roundTrip(log, [
      captured('filters', { ...after(0), method: 'GET', path: '/Users', status: 200 }),
      captured('filters', { ...after(1), method: 'POST', path: '/Users', status: 201, resourceId: 'u-1' }),
      captured('filters', { ...after(2), method: 'PUT', path: '/Users/u-1', status: 409, resourceId: 'u-1' }),
      captured('filters', { ...after(3), method: 'GET', path: '/Groups', status: 500 }),
      captured('filters', { ...after(4), method: 'GET', path: '/UsersX', status: 302 }),
      captured('filters', { ...after(5), method: 'GET', path: '/Schemas', status: 101 }),
    ]);
    const list = async (filters: Parameters<typeof log.page>[1]) =>
      (await log.page('filters', filters)).entries.map((e) => `${e.method} ${e.path} ${e.status}`);
    assert.deepEqual(await list({ status: '4xx,5xx' }), ['GET /Groups 500', 'PUT /Users/u-1 409']);
    assert.deepEqual(await list({ status: 'error' }), ['GET /Groups 500', 'PUT /Users/u-1 409']);
    assert.deepEqual(await list({ status: ' Errors ' }), ['GET /Groups 500', 'PUT /Users/u-1 409']);
    assert.deepEqual(await list({ status: '2XX, 1' }), ['GET /Schemas 101', 'POST /Users 201', 'GET /Users 200']);
    assert.deepEqual(await list({ status: '3' }), ['GET /UsersX 302']);
    assert.equal((await list({ status: ' ' })).length, 6, 'no status: every class');
    assert.deepEqual(await list({ method: ' post ' }), ['POST /Users 201']);
    assert.deepEqual(await list({ path: '/Users/' }), ['PUT /Users/u-1 409']);
    assert.deepEqual(await list({ path: '/Users', method: 'get' }), ['GET /UsersX 302', 'GET /Users 200']);
    assert.deepEqual(await list({ resourceId: 'u-1' }), ['PUT /Users/u-1 409', 'POST /Users 201']);
    assert.deepEqual(await list({ since: at(1), until: at(3) }), ['PUT /Users/u-1 409', 'POST /Users 201']);
    assert.deepEqual(await list({ since: '2026-03-01T11:00:04+01:00' }), ['GET /Schemas 101', 'GET /UsersX 302']);
    assert.deepEqual(await list({ until: '2026-03-01' }), []);
    assert.equal((await list({ path: '', resourceId: '' })).length, 6, 'empty filters filter nothing');

    for (const status of ['7xx', '4xy', '44', 'server']) {
      await assert.rejects(
        log.page('filters', { status: `2xx, ${status}` }),
        badRequest(`status must be classes such as 2xx, 4xx, 5xx or "error", got "${status}"`),
      );
    }
    for (const method of ['GET X', 'GET1', 'ABCDEFGHIJK']) {
      await assert.rejects(log.page('filters', { method }), badRequest(`method must be an HTTP method, got "${method}"`));
    }
    await assert.rejects(
      log.page('filters', { since: 'yesterday' }),
      badRequest('since must be an ISO 8601 date or time such as 2024-05-01T00:00:00Z, got "yesterday"'),
    );
    await assert.rejects(
      log.page('filters', { until: '2026-13-01' }),
      badRequest('until must be an ISO 8601 date or time such as 2024-05-01T00:00:00Z, got "2026-13-01"'),
    );
    const all = [];
    for await (const e of log.all('filters', { status: 'error' })) all.push(e.status);
    assert.deepEqual(all, [500, 409], 'the export takes the same filters');
    await assert.rejects(async () => {
      for await (const _ of log.all('filters', { method: 'GET X' })) assert.fail('no entry before the filters are checked');
    }, badRequest('method must be an HTTP method, got "GET X"'));
  });

  it('paging: newest first, count 1 to 500 (default 50), nextCursor until the last page; the export reads every entry', async () => {
    const log = open();
    for (let i = 1; i <= 51; i++) log.record(captured('paging', { requestId: `r${i}` }));
    const first = await log.page('paging', {});
    assert.equal(first.entries.length, 50);
    assert.deepEqual([first.entries[0]!.requestId, first.entries[49]!.requestId], ['r51', 'r2']);
    assert.equal(first.nextCursor, String(first.entries[49]!.seq));
    const last = await log.page('paging', {}, 50, first.nextCursor);
    assert.deepEqual([last.entries.map((e) => e.requestId), last.nextCursor], [['r1'], undefined]);
    assert.equal((await log.page('paging', {}, 51)).nextCursor, undefined, 'a page that holds the rest is the last');
    assert.equal((await log.page('paging', {}, 500)).entries.length, 51);
    assert.equal((await log.page('paging', {}, 1, '')).entries[0]!.requestId, 'r51', 'an empty cursor is the first page');
    const two = await log.page('paging', {}, 2, String(first.entries[1]!.seq));
    assert.deepEqual(
      two.entries.map((e) => e.requestId),
      ['r49', 'r48'],
    );
    for (const count of [0, 501, 1.5, -1]) await assert.rejects(log.page('paging', {}, count), badRequest('count must be 1 to 500'));
    for (const cursor of ['abc', '0', '012', '1'.repeat(17), '-5', '5 ']) {
      await assert.rejects(log.page('paging', {}, 5, cursor), badRequest('cursor is not one this server returned'), cursor);
    }
    assert.deepEqual((await log.page('paging', {}, 5, '1'.repeat(16))).entries.length, 5, 'sixteen digits are a cursor');

    // The NDJSON export: every entry, newest first, read a page (500) at a time.
    for (let i = 1; i <= 1001; i++) log.record(captured('many', { requestId: `m${i}` }));
    const exported: string[] = [];
    for await (const e of log.all('many', {})) exported.push(e.requestId);
    assert.deepEqual(
      exported,
      Array.from({ length: 1001 }, (_, i) => `m${1001 - i}`),
    );
  });

  it('GET …/requests/{id}: an entry of the tenant by its id; nothing for another tenant or an id that is no number', async () => {
    const log = open();
    const [entry] = await roundTrip(log, [captured('acme', { requestId: 'find-me' })]);
    const id = String(entry!.seq);
    assert.equal((await log.find('acme', id))?.requestId, 'find-me');
    assert.equal(await log.find('other', id), undefined);
    for (const bad of ['0', `0${id}`, `${id}x`, `${id} `, 'x', '', '1'.repeat(17)])
      assert.equal(await log.find('acme', bad), undefined, bad);
    assert.equal(await log.find('acme', '9'.repeat(16)), undefined);
  });

  it('SCIMD_REQUEST_LOG_RETENTION: a prune deletes the entries older than the retention, all of them, a few thousand at a time', async () => {
    // A store of its own: the prune walks the oldest entries of every tenant, and stops at a
    // chunk without old entries (docs/console.md), such as the entries of the tests above.
    const own = await openStore('sqlite::memory:');
    await own.migrate();
    await own.createTenant({ id: 'old', name: 'old', createdAt: new Date(T0).toISOString() });
    const log = open({ retentionSeconds: 3600 }, { store: own });
    // 2,500 entries two hours old, then one at exactly the retention, then one newer.
    for (let i = 0; i < 2500; i++) log.record(captured('old', arrived(T0 - 7_200_000)));
    log.record(captured('old', { ...arrived(T0 - 3_600_000), requestId: 'edge' }));
    log.record(captured('old', { ...arrived(T0 - 1), requestId: 'young' }));
    await log.flush();
    now = T0;
    assert.equal(await log.prune(), 2500);
    assert.deepEqual(
      (await log.page('old', {})).entries.map((e) => e.requestId),
      ['young', 'edge'],
    );
    now = T0 + 1;
    assert.equal(await log.prune(), 1);
    assert.deepEqual(
      (await log.page('old', {})).entries.map((e) => e.requestId),
      ['young'],
    );
    now = T0;
    // Without a clock of its own, the log prunes by the time of day: T0 is long past.
    const unclocked = open({ retentionSeconds: 3600 }, { store: own, clock: undefined });
    assert.equal(await unclocked.prune(), 1);
    await own.close();
  });

  it('SCIMD_REQUEST_LOG_TENANT_BYTES: a log far beyond its budget is cut where one measure of all of it cuts, found a page (8,192 entries) at a time', async () => {
    const own = await openStore('sqlite::memory:');
    await own.migrate();
    const budget = 9_000 * 1_250;
    const log = open({ maxTenantBytes: budget }, { store: own });
    for (let i = 1; i <= 10_000; i++)
      log.record(captured('huge', { requestId: `h${String(i).padStart(5, '0')}`, response: 'x'.repeat(1000) }));
    await log.flush();
    const seqs = (await own.listRequests({ tenantId: 'huge', limit: 20_000 })).map((r) => r.seq);
    const whole = await own.measureRequests('huge', {}, 20_000, budget);
    const doomed = seqs.filter((seq) => seq <= whole.beyondSeq!).length;
    // Past the first page of the walk: the cut is found on the second.
    assert.ok(doomed > 0 && doomed < 10_000 - 8_192, `${doomed} beyond the budget`);
    assert.equal(await log.prune(), doomed);
    assert.deepEqual(
      (await own.listRequests({ tenantId: 'huge', limit: 20_000 })).map((r) => r.seq),
      seqs.filter((seq) => seq > whole.beyondSeq!),
    );
    await own.close();
  });

  it('SCIMD_REQUEST_LOG_TENANT_BYTES: between whole walks a prune measures only the entries written since the last one, and cuts where a whole walk cuts', async () => {
    const own = await openStore('sqlite::memory:');
    await own.migrate();
    /** The walks a prune made, by where each began: above which seq (undefined: the whole log). */
    const ranges: RequestLogRange[] = [];
    const walks = () => ranges.filter((r) => r.beforeSeq === undefined).map((r) => r.afterSeq);
    const watched: RequestLogStore = {
      appendRequests: (entries) => own.appendRequests(entries),
      listRequests: (query) => own.listRequests(query),
      findRequest: (tenantId, seq) => own.findRequest(tenantId, seq),
      pruneRequests: (rule, limit) => own.pruneRequests(rule, limit),
      measureRequests: (tenantId, range, count, budget) => {
        ranges.push({ ...range });
        return own.measureRequests(tenantId, range, count, budget);
      },
    };
    // An entry with a 1,000-byte response is 1,206 bytes as the cap counts them: 6,000 keep four.
    const log = open({ maxTenantBytes: 6000 }, { store: watched });
    let n = 0;
    const write = async (count: number) => {
      for (let i = 0; i < count; i++) log.record(captured('walked', { requestId: `w${++n}`, response: 'x'.repeat(1000) }));
      await log.flush();
      ranges.length = 0;
    };
    const kept = async () => (await own.listRequests({ tenantId: 'walked', limit: 100 })).map((r) => r.requestId).toReversed();
    const newestSeq = async () => (await own.listRequests({ tenantId: 'walked', limit: 1 }))[0]!.seq;

    await write(3);
    assert.equal(await log.prune(), 0);
    assert.deepEqual(walks(), [undefined], 'the first prune walks the whole log');
    let through = await newestSeq();
    await write(1);
    assert.equal(await log.prune(), 0);
    assert.deepEqual(walks(), [through], 'then only what was written since');
    through = await newestSeq();
    await write(2);
    assert.equal(await log.prune(), 2);
    assert.deepEqual(walks(), [through, undefined], 'past the cap by what it knows, it walks the whole log for the cut');
    assert.deepEqual(await kept(), ['w3', 'w4', 'w5', 'w6']);
    await write(1);
    now = T0 + 10 * 60_000;
    try {
      assert.equal(await log.prune(), 1);
      assert.deepEqual(walks(), [undefined], 'ten minutes on, the whole log again');
      assert.deepEqual(await kept(), ['w4', 'w5', 'w6', 'w7']);
    } finally {
      now = T0;
    }
    await own.close();
  });

  it("SCIMD_REQUEST_LOG_TENANT_BYTES: a prune deletes a tenant's oldest entries beyond its budget, of the tenants this log wrote to", async () => {
    // 1,000-byte bodies: two entries are 2,000 bytes of text, three 3,000.
    const budget = { maxTenantBytes: 2500 };
    const log = open(budget);
    const elsewhere = open(budget);
    const body = (n: number) => ({ requestId: `b${n}`, response: String(n).repeat(1000).slice(0, 1000) });
    for (let i = 1; i <= 4; i++) log.record(captured('big', body(i)));
    for (let i = 1; i <= 3; i++) elsewhere.record(captured('other', body(i)));
    await Promise.all([log.flush(), elsewhere.flush()]);
    assert.equal(await log.prune(), 2, 'this log wrote only to big');
    assert.deepEqual(
      (await log.page('big', {})).entries.map((e) => e.requestId),
      ['b4', 'b3'],
    );
    assert.equal((await log.page('other', {})).entries.length, 3);
    assert.equal(await log.prune(), 0, 'written to nothing since');
    elsewhere.record(captured('big', body(5)));
    await elsewhere.flush();
    assert.equal(await log.prune(), 0, 'big grew, but not through this log since its last prune');
    assert.equal((await log.page('big', {})).entries.length, 3);
    assert.equal(await elsewhere.prune(), 2);
    assert.deepEqual(
      (await log.page('other', {})).entries.map((e) => e.requestId),
      ['b3', 'b2'],
    );
  });

  it('beyond 20,000 entries waiting the newest are dropped and counted; a batch the database refuses is counted and reported', async () => {
    const reported: Array<[string, number]> = [];
    /** The store of a database that refuses every write (and so costs nothing to fill the queue of). */
    const full: RequestLogStore = {
      appendRequests: async () => Promise.reject(new Error('disk full')),
      listRequests: (query) => store.listRequests(query),
      findRequest: (tenantId, seq) => store.findRequest(tenantId, seq),
      pruneRequests: (rule, limit) => store.pruneRequests(rule, limit),
      measureRequests: (tenantId, range, count, budget) => store.measureRequests(tenantId, range, count, budget),
    };
    const refusing = open({}, { store: full, onError: (error, lost) => reported.push([(error as Error).message, lost]) });
    for (let i = 0; i < 20_002; i++) refusing.record(captured('down', {}));
    assert.deepEqual(refusing.counts(), { queued: 20_000, written: 0, dropped: 2, failed: 0 });
    await refusing.flush();
    assert.deepEqual(reported, [['disk full', 20_000]]);
    assert.deepEqual(refusing.counts(), { queued: 0, written: 0, dropped: 2, failed: 20_000 });
    refusing.record(captured('down', { requestId: 'later' }));
    await refusing.flush();
    assert.deepEqual(reported, [
      ['disk full', 20_000],
      ['disk full', 1],
    ]);
    assert.deepEqual(refusing.counts(), { queued: 0, written: 0, dropped: 2, failed: 20_001 }, 'room again once the queue is taken');
    const quiet = open({}, { store: full });
    quiet.record(captured('down', {}));
    await quiet.flush();
    assert.deepEqual(quiet.counts(), { queued: 0, written: 0, dropped: 0, failed: 1 }, 'without onError too');
    assert.deepEqual((await quiet.page('down', {})).entries, []);
  });
});
