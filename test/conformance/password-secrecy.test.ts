import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { loggerOptions } from '../../src/http/logger-options.ts';
import { type Harness, type Reply, startHarness, userBody } from '../helpers/harness.ts';
import { assertScryptOf } from '../helpers/password-hash.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/**
 * RFC 7643 §4.1.1 / §7: a password is writeOnly and returned never. Beyond responses, scimd keeps
 * it out of its logs (pino at debug level), its events, its error details and its database,
 * through successful writes and through every kind of failed one.
 */
describe('passwords and tokens never leave the request that carried them', () => {
  const passwords = ['Corr3ct-Horse-Battery-1', 'Corr3ct-Horse-Battery-2', 'Corr3ct-Horse-Battery-3', 'Corr3ct-Horse-Battery-4'];
  const logLines: string[] = [];
  const replies: Reply[] = [];
  let h: Harness;
  let userId = '';

  async function send(method: string, url: string, options: Parameters<Harness['request']>[2] = {}): Promise<Reply> {
    const res = await h.request(method, url, options);
    replies.push(res);
    return res;
  }

  before(async () => {
    const env = { SCIMD_LOG_LEVEL: 'debug' };
    const destination = { write: (line: string) => void logLines.push(line) };
    h = await startHarness(env, { logger: loggerOptions(loadConfig(env), destination) });
    const created = await send('POST', '/Users', { body: userBody('secret.keeper@example.com', { password: passwords[0] }) });
    assert.equal(created.status, 201, created.raw);
    userId = created.body.id;
  });
  after(() => h.close());

  /** The hash the store holds for the user: only the server's side of the database sees it. */
  async function storedHash(): Promise<string | undefined> {
    const tenant = await h.server.store.findTenantByName('acme');
    return (await h.server.store.get(tenant!.id, 'User', userId, { passwordHash: true }))?.passwordHash;
  }

  it('successful writes: POST, PUT, PATCH with and without path carry the password only inward', async () => {
    assertScryptOf(await storedHash(), passwords[0]!, 'after POST');
    const put = await send('PUT', `/Users/${userId}`, { body: userBody('secret.keeper@example.com', { password: passwords[1] }) });
    assert.equal(put.status, 200, put.raw);
    assertScryptOf(await storedHash(), passwords[1]!, 'after PUT');
    const patch = await send('PATCH', `/Users/${userId}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: passwords[2] }] },
    });
    assert.equal(patch.status, 200, patch.raw);
    assertScryptOf(await storedHash(), passwords[2]!, 'after PATCH with a path');
    const pathless = await send('PATCH', `/Users/${userId}?attributes=password`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', value: { password: passwords[3] } }] },
    });
    assert.equal(pathless.status, 200, pathless.raw);
    assertScryptOf(await storedHash(), passwords[3]!, 'after a path-less PATCH');
    assert.equal(pathless.body.password, undefined, 'returned:never even when asked for');
    const read = await send('GET', `/Users/${userId}?attributes=password,userName`);
    assert.equal(read.body.password, undefined);
  });

  it('failed writes: conflicts, malformed JSON, invalid values, NUL, wrong shapes, stale If-Match, atomic PATCH', async () => {
    const pw = passwords[0]!;
    const failures: Array<[string, string, Parameters<Harness['request']>[2], number]> = [
      ['POST', '/Users', { body: userBody('secret.keeper@example.com', { password: pw }) }, 409],
      ['POST', '/Users', { rawBody: `{"userName":"x","password":"${pw}"` }, 400],
      ['POST', '/Users', { body: userBody('other@example.com', { password: pw, active: 'maybe' }) }, 400],
      ['POST', '/Users', { body: userBody('nul@example.com', { password: `${pw}\u0000` }) }, 201],
      ['POST', '/Users', { body: userBody('array@example.com', { password: [pw] }) }, 400],
      ['POST', '/Users', { body: userBody('object@example.com', { password: { value: pw } }) }, 400],
      [
        'PUT',
        `/Users/${userId}`,
        { body: userBody('secret.keeper@example.com', { password: pw }), headers: { 'if-match': 'W/"999"' } },
        412,
      ],
      ['PUT', '/Users/no-such-user', { body: userBody('x@example.com', { password: pw }) }, 404],
      [
        'PATCH',
        `/Users/${userId}`,
        {
          body: {
            schemas: [PATCH_OP],
            Operations: [
              { op: 'replace', path: 'password', value: pw },
              { op: 'replace', path: 'nope[', value: 1 },
            ],
          },
        },
        400,
      ],
      [
        'PATCH',
        `/Users/${userId}`,
        { body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: [pw, pw] }] } },
        400,
      ],
      [
        'PATCH',
        `/Users/${userId}`,
        { body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'password', value: { nested: pw } }] } },
        400,
      ],
      [
        'PATCH',
        `/Users/${userId}`,
        {
          body: {
            schemas: [PATCH_OP],
            Operations: [
              { op: 'replace', path: 'userName', value: `${pw}\u0000` },
              { op: 'replace', path: 'password', value: pw },
            ],
          },
        },
        400,
      ],
      ['POST', '/Users', { body: userBody('wrongtoken@example.com', { password: pw }), token: 'scimd_wrong' }, 401],
      // RFC 7643 §4.1.1 lets a client filter on password equality: it matches nothing here, and
      // the filter value stays out of the debug access log.
      ['GET', `/Users?filter=${encodeURIComponent(`password eq "${pw}"`)}`, {}, 200],
      [
        'POST',
        '/.search',
        { body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `password eq "${pw}"` } },
        200,
      ],
    ];
    for (const [method, url, options, status] of failures) {
      const res = await send(method, url, options);
      assert.equal(res.status, status, `${method} ${url}: ${res.raw}`);
    }
  });

  it('no response, log line, event or error detail holds any of the passwords or the bearer token', async () => {
    const feed = await send('GET', '/Events?after=0&count=1000');
    assert.equal(feed.status, 200);
    assert.ok(
      feed.body.events.some((e: { type: string }) => e.type === 'scim.user.updated'),
      'the password changes are events',
    );
    assert.ok(logLines.length > 10, `the debug log captured the requests (${logLines.length} lines)`);
    const everything = [...replies.map((r) => r.raw), ...logLines].join('\n');
    for (const secret of [...passwords, h.tokenA]) {
      assert.ok(!everything.includes(secret), `"${secret.slice(0, 12)}…" leaked`);
    }
  });

  it('the SQLite database file holds only hashes: no password, no bearer token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimd-secrets-'));
    try {
      const onDisk = await startHarness({ SCIMD_DATABASE_URL: `sqlite:${join(dir, 'scimd.db')}` });
      const created = await onDisk.request('POST', '/Users', {
        token: onDisk.tokenA,
        body: userBody('disk@example.com', { password: passwords[0] }),
      });
      assert.equal(created.status, 201);
      const patched = await onDisk.request('PATCH', `/Users/${created.body.id}`, {
        token: onDisk.tokenA,
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'password', value: passwords[1] }] },
      });
      assert.equal(patched.status, 200);
      const token = onDisk.tokenA;
      await onDisk.close();
      const bytes = Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
      assert.ok(bytes.length > 0);
      for (const secret of [passwords[0]!, passwords[1]!, token])
        assert.equal(bytes.indexOf(secret), -1, `"${secret.slice(0, 12)}…" is on disk`);
      assert.notEqual(bytes.indexOf('disk@example.com'), -1, 'the scan does read the data');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
