import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort, runCli, startServe, tempDatabaseUrl } from './process.ts';

const USER = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'cli.verify@example.com', password: 'Cli-Verify-Pa55' };

describe('scimd CLI: verify tokens and lockouts (docs/password-sync.md)', () => {
  it('verify-tokens create --json prints one line with the token, which POST /auth/verify accepts; list, rotate, revoke; lockouts list and clear', async () => {
    const bootstrap = 'bootstrap-token-for-verify-cli-0123456789';
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl(), SCIMD_BOOTSTRAP_TOKEN: bootstrap, SCIMD_VERIFY_LOCKOUT_THRESHOLD: '2' };
    assert.equal((await runCli(['tenants', 'create', 'default'], env)).code, 0);
    const created = await runCli(['verify-tokens', 'create', '--tenant', 'default', '--label', 'login', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const lines = created.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const minted = JSON.parse(lines[0]!) as { tenant: string; id: string; token: string };
    assert.equal(minted.tenant, 'default');
    assert.match(minted.token, /^scimd_verify_/);

    const port = freePort();
    const served = await startServe(env, port);
    const verify = (token: string, password: string) =>
      fetch(`http://127.0.0.1:${port}/auth/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userName: USER.userName, password }),
      });
    try {
      const user = await fetch(`${served.url}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bootstrap}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(USER),
      });
      assert.equal(user.status, 201);
      const ok = await verify(minted.token, USER.password);
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), {
        id: ((await user.json()) as { id: string }).id,
        userName: USER.userName,
        active: true,
        tenant: 'default',
      });
      assert.equal((await verify(bootstrap, USER.password)).status, 401, 'a SCIM token is refused');
      for (let i = 0; i < 2; i++) assert.equal((await verify(minted.token, 'wrong')).status, 401);

      const lockouts = await runCli(['lockouts', 'list', '--tenant', 'default'], env);
      assert.match(lockouts.stdout, /^cli\.verify@example\.com\t2\tlocked until \S+Z\t/m);
      assert.equal((await verify(minted.token, USER.password)).status, 401, 'locked');
      assert.equal((await runCli(['lockouts', 'clear', '--tenant', 'default', '--user', 'CLI.Verify@example.com'], env)).code, 0);
      assert.equal((await verify(minted.token, USER.password)).status, 200, 'cleared');

      const rotated = await runCli(['verify-tokens', 'rotate', minted.id, '--overlap', '0m', '--json'], env);
      assert.equal(rotated.code, 0, rotated.stderr);
      const successor = JSON.parse(rotated.stdout) as { id: string; token: string; previous: string };
      assert.equal(successor.previous, minted.id);
      assert.equal((await verify(minted.token, USER.password)).status, 401, 'the old token after a rotation without overlap');
      assert.equal((await verify(successor.token, USER.password)).status, 200);
      assert.equal((await runCli(['verify-tokens', 'revoke', successor.id], env)).code, 0);
      assert.equal((await verify(successor.token, USER.password)).status, 401, 'revoked');
    } finally {
      assert.equal(await served.stop(), 0);
    }
    const list = (await runCli(['verify-tokens', 'list', '--tenant', 'default'], env)).stdout;
    assert.match(list, new RegExp(`^${minted.id}\\tdefault\\texpired until \\S+\\tlast used \\S+\\tlogin$`, 'm'));
    assert.ok(!list.includes(minted.token));
    assert.equal((await runCli(['tokens', 'list', '--tenant', 'default'], env)).stdout.includes(minted.id), false);
    const audit = (await runCli(['audit', 'list', '--tenant', 'default'], env)).stdout;
    assert.match(audit, new RegExp(`^\\S+Z\\tdefault\\t${minted.id}\\tverify\\tUser\\t[0-9a-f-]{36}\\t401\\twrong_password$`, 'm'));
    assert.match(audit, new RegExp(`\\t${minted.id}\\tverify\\tUser\\t[0-9a-f-]{36}\\t401\\tlocked$`, 'm'));
    assert.ok(!audit.includes('wrong\t') && !audit.includes(USER.password));
  });
});
