import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { loggerOptions } from '../../src/http/logger-options.ts';
import { type Harness, startHarness, userBody } from '../helpers/harness.ts';

const ADMIN = 'admin-secret-for-the-secret-test';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ACME = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';

/**
 * The request log stores request and response bodies, so it is where a secret would leak if
 * anywhere: every password, bearer token, client secret and returned:never attribute value sent
 * in any field of any endpoint must be unreadable from the log (its rows), the admin API (JSON
 * pages, single entries, the NDJSON export; the console reads nothing else) and the logs.
 */
describe('request log: no secret sent in any field of any endpoint can be read back', () => {
  const logLines: string[] = [];
  const secrets: string[] = [];
  let h: Harness;
  let userId = '';
  let sent = 0;
  const secret = (label: string) => {
    const value = `S3cret-${label}-${secrets.length}-Zq`;
    secrets.push(value);
    return value;
  };
  const send = async (method: string, url: string, options: Parameters<Harness['request']>[2] = {}) => {
    sent++;
    return h.request(method, url, options);
  };
  const patch = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });

  before(async () => {
    const env = { SCIMD_ADMIN_TOKEN: ADMIN, SCIMD_LOG_LEVEL: 'debug' };
    const destination = { write: (line: string) => void logLines.push(line) };
    h = await startHarness(env, { logger: loggerOptions(loadConfig(env), destination) });
    secrets.push(h.tokenA);
    await h.server.schemas.addAttribute('acme', {
      schemaId: ACME,
      attribute: { name: 'pin', type: 'string', mutability: 'writeOnly', returned: 'never' },
    });
    const created = await send('POST', '/Users', {
      body: userBody('keeper@example.com', {
        password: secret('create'),
        [ACME]: { pin: secret('pin-create') },
        client_secret: secret('client'),
      }),
    });
    assert.equal(created.status, 201, created.raw);
    userId = created.body.id;
  });
  after(() => h.close());

  it('sends secrets through every endpoint and field, in requests that succeed and that fail', async () => {
    const u = `/Users/${userId}`;
    const requests: Array<[string, string, Parameters<Harness['request']>[2]]> = [
      ['PUT', u, { body: userBody('keeper@example.com', { password: secret('put') }) }],
      ['PATCH', u, { body: patch({ op: 'replace', path: 'password', value: secret('patch-path') }) }],
      ['PATCH', u, { body: patch({ op: 'Replace', path: 'PASSWORD', value: secret('patch-upper') }) }],
      ['PATCH', u, { body: patch({ op: 'replace', path: `${CORE_USER}:password`, value: secret('patch-urn') }) }],
      ['PATCH', u, { body: patch({ op: 'Replace', value: { password: secret('pathless'), displayName: 'Keeper' } }) }],
      ['PATCH', u, { body: patch({ op: 'replace', value: { [`${ACME}:pin`]: secret('pathless-ext') } }) }],
      ['PATCH', u, { body: patch({ op: 'replace', path: `${ACME}:pin`, value: secret('ext-path') }) }],
      ['PATCH', u, { body: patch({ op: 'add', path: ACME, value: { pin: secret('ext-object') } }) }],
      ['PATCH', u, { body: patch({ op: 'replace', path: 'password', value: [secret('array')] }) }],
      ['PATCH', u, { body: patch({ op: 'add', path: 'password', value: { nested: secret('object') } }) }],
      [
        'PATCH',
        u,
        { body: patch({ op: 'replace', path: 'password', value: secret('atomic') }, { op: 'replace', path: 'nope[', value: 1 }) },
      ],
      ['POST', '/Users', { body: userBody('keeper@example.com', { password: secret('conflict') }) }],
      ['POST', '/Users', { body: userBody('bad@example.com', { password: secret('invalid'), active: 'maybe' }) }],
      ['POST', '/Users', { rawBody: `{"userName":"broken","password":"${secret('malformed')}"` }],
      ['POST', '/Users', { rawBody: `{"userName":"broken","pass\\u0077ord":"${secret('escaped-key')}",` }],
      ['GET', `/Users?filter=${encodeURIComponent(`password eq "${secret('filter')}"`)}`, {}],
      ['GET', `/Users?filter=${encodeURIComponent(`userName eq "x" or PASSWORD eq "${secret('filter-or')}"`)}`, {}],
      ['GET', `/Users?filter=${encodeURIComponent(`emails[type eq "work" and password eq "${secret('filter-bracket')}"]`)}`, {}],
      ['GET', `/Users?filter=${encodeURIComponent(`password eq ${secret('filter-unquoted')}`)}`, {}],
      ['GET', `/Users?filter=${encodeURIComponent(`${ACME}:pin eq "${secret('filter-ext')}"`)}`, {}],
      ['GET', `/Users?access_token=${secret('query-token')}&attributes=userName`, {}],
      ['POST', '/.search', { body: { schemas: [SEARCH], filter: `password eq "${secret('search')}"` } }],
      ['POST', '/Users/.search', { body: { schemas: [SEARCH], filter: `pin eq "${secret('search-ext')}"` } }],
      [
        'POST',
        '/Bulk',
        {
          body: {
            schemas: [BULK],
            Operations: [
              { method: 'POST', path: '/Users', bulkId: 'b1', data: userBody('bulk@example.com', { password: secret('bulk-post') }) },
              { method: 'PATCH', path: u, data: patch({ op: 'replace', path: 'password', value: secret('bulk-patch') }) },
              { method: 'PUT', path: '/Users/missing', data: userBody('x@example.com', { [ACME]: { pin: secret('bulk-put') } }) },
            ],
          },
        },
      ],
      [
        'POST',
        '/Groups',
        { body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G', client_secret: secret('group') } },
      ],
      ['GET', `${u}?attributes=password,pin`, {}],
    ];
    for (const [method, url, options] of requests) {
      const res = await send(method, url, options);
      assert.ok(res.status < 500, `${method} ${url}: ${res.status} ${res.raw}`);
    }
    // A revoked token is recorded for its tenant (docs/console.md): the token itself never is.
    const revoked = await h.server.tenants.mintToken('acme');
    await h.server.tenants.revokeToken(revoked.id);
    secrets.push(revoked.token);
    const refused = await send('POST', `/Users?access_token=${revoked.token}`, {
      token: revoked.token,
      body: userBody('refused@example.com', { password: secret('refused') }),
    });
    assert.equal(refused.status, 401);
  });

  it('neither the stored rows, nor the admin API (pages, entries, NDJSON), nor the logs hold any of them', async () => {
    await h.server.requestLog.flush();
    const tenant = await h.server.tenants.findTenant('acme');
    const rows = await h.server.store.listRequests({ tenantId: tenant.id, limit: 1000 });
    assert.equal(rows.length, sent, 'every request is in the log');
    const stored = JSON.stringify(rows);
    assert.ok(stored.includes('keeper@example.com'), 'the bodies are stored');
    assert.ok((stored.match(/\[redacted\]|%5Bredacted%5D/g) ?? []).length >= secrets.length - 1, 'the secrets were there to redact');

    const get = async (url: string, accept?: string) =>
      (await h.server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ADMIN}`, ...(accept ? { accept } : {}) } }))
        .body;
    const readable = [
      stored,
      await get('/admin/tenants/acme/requests?count=500'),
      await get('/admin/tenants/acme/requests', 'application/x-ndjson'),
    ];
    for (const row of rows) readable.push(await get(`/admin/tenants/acme/requests/${row.seq}`));
    readable.push(logLines.join('\n'));
    const everything = readable.join('\n');
    for (const s of secrets) assert.ok(!everything.includes(s), `"${s.slice(0, 20)}…" can be read back`);
  });
});
