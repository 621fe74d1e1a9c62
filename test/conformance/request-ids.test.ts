import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { loggerOptions } from '../../src/http/logger-options.ts';
import { type Harness, startHarness, userBody } from '../helpers/harness.ts';

const ADMIN = 'admin-secret-for-request-ids-0123';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** docs/operations.md: X-Request-Id in, on every response, on every log line of the request, in its audit entry. */
describe('request ids and the access log', () => {
  let h: Harness;
  const lines: Record<string, unknown>[] = [];
  const linesOf = (id: string) => lines.filter((l) => l['reqId'] === id);

  before(async () => {
    const env = { SCIMD_ADMIN_TOKEN: ADMIN };
    h = await startHarness(env, {
      logger: loggerOptions(loadConfig(env), { write: (line: string) => void lines.push(JSON.parse(line)) }),
    });
  });
  after(() => h.close());

  it('a well-formed incoming X-Request-Id is kept: returned, on the access line, in the audit entry', async () => {
    const id = 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8';
    const created = await h.request('POST', '/Users', { body: userBody('traced@example.com'), headers: { 'x-request-id': id } });
    assert.equal(created.status, 201);
    assert.equal(created.headers['x-request-id'], id);
    const [access] = linesOf(id);
    assert.deepEqual(
      { level: access?.['level'], msg: access?.['msg'], method: access?.['method'], path: access?.['path'], status: access?.['status'] },
      { level: 30, msg: 'request', method: 'POST', path: '/scim/v2/Users', status: 201 },
    );
    assert.equal(access?.['tenant'], 'acme');
    assert.equal(typeof access?.['ms'], 'number');
    await h.server.audit.flush();
    const audit = await h.server.app.inject({
      method: 'GET',
      url: '/admin/audit?tenant=acme',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const entry = JSON.parse(audit.body).entries.find((e: { operation: string }) => e.operation === 'create');
    assert.equal(entry.requestId, id);
  });

  it('a missing or malformed X-Request-Id gets a new UUID; one access line per request, query values left out', async () => {
    for (const given of [undefined, '', 'has space', 'x'.repeat(129), 'quote"inside', 'line\tbreak']) {
      const reply = await h.request('GET', '/Users?filter=password%20eq%20%22hunter2%22&count=1', {
        headers: given === undefined ? {} : { 'x-request-id': given },
      });
      const id = String(reply.headers['x-request-id']);
      assert.match(id, UUID, String(given));
      const mine = linesOf(id);
      assert.equal(mine.length, 1, JSON.stringify(mine));
      assert.deepEqual(mine[0]?.['params'], ['filter', 'count']);
      assert.ok(!JSON.stringify(mine).includes('hunter2'));
    }
  });

  it('every response carries it: 401, 404, a framework error, the health and metrics routes', async () => {
    const answers = [
      await h.request('GET', '/Users', { token: null }),
      await h.request('GET', '/NoSuchEndpoint'),
      await h.request('GET', `/Users/${'x'.repeat(300)}`),
      await h.request('GET', '/Users/%E0%A4%A'),
      await h.request('GET', '/healthz'),
      await h.request('GET', '/metrics'),
    ];
    assert.deepEqual(
      answers.map((a) => a.status),
      [401, 404, 414, 400, 200, 200],
    );
    for (const a of answers) assert.match(String(a.headers['x-request-id']), UUID);
  });
});

describe('SCIMD_ACCESS_LOG=off', () => {
  it('writes no access line', async () => {
    const lines: string[] = [];
    const env = { SCIMD_ACCESS_LOG: 'off' };
    const h = await startHarness(env, { logger: loggerOptions(loadConfig(env), { write: (line: string) => void lines.push(line) }) });
    try {
      assert.equal((await h.request('GET', '/Users')).status, 200);
      assert.deepEqual(lines, []);
    } finally {
      await h.close();
    }
  });
});
