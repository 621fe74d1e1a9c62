import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort, runCli, startServe, tempDatabaseUrl } from './process.ts';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('scimd oauth clients (the contract: create --tenant NAME --json prints client_id and client_secret)', () => {
  it('create --json prints one JSON line whose credentials get a token at POST /oauth/token of a running server', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    assert.equal((await runCli(['tenants', 'create', 'acme'], env)).code, 0);
    const created = await runCli(['oauth', 'clients', 'create', '--tenant', 'acme', '--json', '--name', 'Entra ID'], env);
    assert.equal(created.code, 0, created.stderr);
    const lines = created.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'one line');
    const { client_id: clientId, client_secret: secret, secret_id: secretId } = JSON.parse(lines[0]!);
    assert.match(clientId, /^client_/);
    assert.match(secret, /^scimd_cs_/);

    const port = freePort();
    const served = await startServe(env, port);
    try {
      const origin = `http://127.0.0.1:${port}`;
      const tokenOf = async (s: string) =>
        fetch(`${origin}/oauth/token`, {
          method: 'POST',
          headers: { authorization: basic(clientId, s), 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        });
      const res = await tokenOf(secret);
      assert.equal(res.status, 200, await res.clone().text());
      const { access_token: token } = (await res.json()) as { access_token: string };
      const users = await fetch(`${served.url}/Users`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(users.status, 200);

      // Rotation while the server runs: the new secret works, the old one too until revoked.
      const rotated = await runCli(['oauth', 'clients', 'rotate-secret', '--tenant', 'acme', clientId, '--json'], env);
      assert.equal(rotated.code, 0, rotated.stderr);
      const next = JSON.parse(rotated.stdout.trim());
      assert.equal(next.client_id, clientId);
      assert.equal((await tokenOf(next.client_secret)).status, 200);
      assert.equal((await runCli(['oauth', 'clients', 'revoke-secret', '--tenant', 'acme', clientId, secretId], env)).code, 0);
      assert.equal((await tokenOf(secret)).status, 401);
      assert.equal((await tokenOf(next.client_secret)).status, 200);

      const listed = await runCli(['oauth', 'clients', 'list', '--tenant', 'acme', '--json'], env);
      const clients = JSON.parse(listed.stdout);
      assert.deepEqual(
        clients.map((c: { clientId: string; name: string }) => [c.clientId, c.name]),
        [[clientId, 'Entra ID']],
      );
      assert.ok(!listed.stdout.includes(next.client_secret), 'secrets are shown once');

      assert.equal((await runCli(['oauth', 'clients', 'revoke', '--tenant', 'acme', clientId], env)).code, 0);
      assert.equal((await tokenOf(next.client_secret)).status, 401);
    } finally {
      await served.stop();
    }
  });

  it('oauth keys rotate adds a signing key; keys list prints the public halves, oldest first', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    const first = JSON.parse((await runCli(['oauth', 'keys', 'list'], env)).stdout);
    assert.equal(first.keys.length, 1);
    const rotated = await runCli(['oauth', 'keys', 'rotate'], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const listed = JSON.parse((await runCli(['oauth', 'keys', 'list'], env)).stdout);
    assert.equal(listed.keys.length, 2);
    assert.equal(listed.keys[0].kid, first.keys[0].kid);
    assert.match(rotated.stdout, new RegExp(listed.keys[1].kid));
    for (const key of listed.keys) assert.equal(key.d, undefined);
  });

  it('an unknown tenant is an error naming it', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    const res = await runCli(['oauth', 'clients', 'create', '--tenant', 'nope', '--json'], env);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /nope/);
  });
});
