import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTestDatabase, postgresTestOptions } from '../../src/store/postgres/testing.ts';
import { freePort, runCli, startServe, tempDatabaseUrl } from './process.ts';

/** The first-start line of a serve whose stderr is not a terminal. */
function firstStart(output: string): Record<string, unknown> {
  const line = output.split('\n').find((l) => l.includes('"msg":"first start:'));
  assert.ok(line, output);
  return JSON.parse(line);
}

describe('scimd serve', () => {
  it('first zero-config start mints a token for tenant "default", prints it once with a curl line; later starts do not', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    const port = freePort();
    const first = await startServe(env, port);
    // Not a terminal: one JSON line among the logs, and nothing but JSON lines on stdout.
    const line = firstStart(first.output());
    const token = String(line['token']);
    assert.match(token, /^scimd_/);
    assert.equal(line['tryIt'], `curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:${port}/scim/v2/Users`);
    assert.equal(first.output().split(token).length, 2, 'the token appears once');
    const res = await fetch(`${first.url}/Users`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'first-call' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), 'first-call');
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    assert.equal(await first.stop(), 0);
    const access = first
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((l) => l.reqId === 'first-call');
    assert.deepEqual([access?.msg, access?.status, access?.level], ['request', 200, 30]);

    const second = await startServe(env, port);
    assert.ok(!/scimd_/.test(second.output()), 'the token is printed only on the first start');
    const again = await fetch(`${second.url}/Users`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(again.status, 200);
    assert.equal(await second.stop(), 0);
  });

  it('the first-start hint mints into the same database from any directory: a relative SQLite path made absolute', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimd-rel-'));
    const served = await startServe({ SCIMD_DATABASE_URL: 'sqlite:state/scimd.db' }, freePort(), dir);
    try {
      const hint = String(firstStart(served.output())['moreTokens']);
      assert.equal(hint, `SCIMD_DATABASE_URL='sqlite:${join(dir, 'state/scimd.db')}' npx scimd tokens create --tenant default`);
      // Run as printed, from the repository (not the server's directory).
      const minted = await runCli(['tokens', 'create', '--tenant', 'default', '--json'], {
        SCIMD_DATABASE_URL: /^SCIMD_DATABASE_URL='(.*?)'/.exec(hint!)![1]!,
      });
      assert.equal(minted.code, 0, minted.stderr);
      const res = await fetch(`${served.url}/Users`, { headers: { authorization: `Bearer ${JSON.parse(minted.stdout).token}` } });
      assert.equal(res.status, 200);
    } finally {
      await served.stop();
    }
  });

  it('the first-start hint on PostgreSQL names the PostgreSQL database, not ./data/scimd.db', async (t) => {
    const options = await postgresTestOptions();
    if (options.skip) return t.skip(options.skip);
    const db = await createTestDatabase();
    try {
      const served = await startServe({ SCIMD_DATABASE_URL: db.url }, freePort());
      await served.stop();
      assert.equal(firstStart(served.output())['moreTokens'], `SCIMD_DATABASE_URL='${db.url}' npx scimd tokens create --tenant default`);
    } finally {
      await db.drop();
    }
  });

  it('SCIMD_BOOTSTRAP_TOKEN makes that token valid for tenant "default" and prints no token', async () => {
    const bootstrap = 'bootstrap-token-for-containers-0123456789';
    const served = await startServe({ SCIMD_DATABASE_URL: tempDatabaseUrl(), SCIMD_BOOTSTRAP_TOKEN: bootstrap }, freePort());
    try {
      assert.ok(!/scimd_/.test(served.output()));
      const res = await fetch(`${served.url}/ServiceProviderConfig`, { headers: { authorization: `Bearer ${bootstrap}` } });
      assert.equal(res.status, 200);
      assert.match(String(res.headers.get('content-type')), /application\/scim\+json/);
    } finally {
      await served.stop();
    }
  });

  it('a SCIMD_BOOTSTRAP_TOKEN revoked since stays revoked: the server starts again and warns', async () => {
    const bootstrap = 'bootstrap-token-revoked-by-the-operator-0123';
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl(), SCIMD_BOOTSTRAP_TOKEN: bootstrap };
    const port = freePort();
    assert.equal(await (await startServe(env, port)).stop(), 0);
    const listed = await runCli(['tokens', 'list', '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const [token] = JSON.parse(listed.stdout) as { id: string }[];
    const revoked = await runCli(['tokens', 'revoke', token!.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);

    const served = await startServe(env, port);
    try {
      const warning = served
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .find((l) => l.level === 40);
      assert.deepEqual([warning?.token, warning?.state], [token!.id, 'revoked'], served.output());
      assert.match(warning.msg, /SCIMD_BOOTSTRAP_TOKEN is a revoked token/);
      const res = await fetch(`${served.url}/Users`, { headers: { authorization: `Bearer ${bootstrap}` } });
      assert.equal(res.status, 401);
    } finally {
      await served.stop();
    }
  });

  it('SIGTERM lets an in-flight request finish before the process exits 0', async () => {
    const bootstrap = 'bootstrap-token-for-shutdown-0123456789';
    const port = freePort();
    const served = await startServe({ SCIMD_DATABASE_URL: tempDatabaseUrl(), SCIMD_BOOTSTRAP_TOKEN: bootstrap }, port);
    const body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'inflight' });
    // Headers first, the body only after SIGTERM: the request is in flight, deterministically.
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let response = '';
    socket.on('data', (d: Buffer) => (response += d.toString()));
    socket.write(
      `POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${bootstrap}\r\n` +
        `Content-Type: application/scim+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`,
    );
    await new Promise((r) => setTimeout(r, 200));
    const exit = served.stop();
    await new Promise((r) => setTimeout(r, 200));
    socket.end(body);
    await once(socket, 'close');
    assert.match(response, /^HTTP\/1\.1 201 /);
    assert.equal(await exit, 0);
  });
});
