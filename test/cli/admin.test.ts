import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort, runCli, startServe, tempDatabaseUrl } from './process.ts';

const USER = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'cli-audited', password: 'Secret-Pa55word' };

describe('scimd CLI: administration (docs/administration.md)', () => {
  it('tenants disable / enable / delete --yes, with the state in tenants list', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    await runCli(['tenants', 'create', 'acme'], env);
    const disabled = await runCli(['tenants', 'disable', 'acme'], env);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /disabled tenant acme/);
    assert.match((await runCli(['tenants', 'list'], env)).stdout, /^acme\t\S+\t\S+\tlenient\tdisabled \d{4}-/m);
    assert.equal((await runCli(['tenants', 'enable', 'acme'], env)).code, 0);
    assert.match((await runCli(['tenants', 'list'], env)).stdout, /^acme\t\S+\t\S+\tlenient$/m);

    await runCli(['tokens', 'create', '--tenant', 'acme'], env);
    const refused = await runCli(['tenants', 'delete', 'acme'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /add --yes/);
    const deleted = await runCli(['tenants', 'delete', 'acme', '--yes'], env);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout.trim(), 'deleted tenant acme: 0 resources, 1 tokens, 0 events');
    assert.equal((await runCli(['tenants', 'list'], env)).stdout.trim(), '');
    assert.equal((await runCli(['tenants', 'disable', 'acme'], env)).code, 1);
  });

  it('tenants set-profile NAME PROFILE, --set and --unset of single behaviours, shown by tenants list (docs/profiles.md)', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    await runCli(['tenants', 'create', 'acme'], env);
    const strict = await runCli(['tenants', 'set-profile', 'acme', 'strict'], env);
    assert.equal(strict.code, 0, strict.stderr);
    assert.equal(strict.stdout.trim(), 'tenant acme now uses profile strict');
    assert.match((await runCli(['tenants', 'list'], env)).stdout, /^acme\t\S+\t\S+\tstrict$/m);

    const opted = await runCli(['tenants', 'set-profile', 'acme', '--set', 'uniqueGroupDisplayName=true'], env);
    assert.equal(opted.stdout.trim(), 'tenant acme now uses profile strict uniqueGroupDisplayName=true', 'the profile stays');
    const entra = await runCli(['tenants', 'set-profile', 'acme', 'entra', '--json'], env);
    assert.deepEqual(JSON.parse(entra.stdout).profile, { name: 'entra', overrides: { uniqueGroupDisplayName: true } }, 'overrides stay');
    await runCli(['tenants', 'set-profile', 'acme', '--unset', 'uniqueGroupDisplayName'], env);
    const [tenant] = JSON.parse((await runCli(['tenants', 'list', '--json'], env)).stdout);
    assert.deepEqual(tenant.profile, { name: 'entra', overrides: {} });

    const unknown = await runCli(['tenants', 'set-profile', 'acme', 'rfc'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /a profile is one of lenient, strict, entra, okta; got "rfc"/);
    const badValue = await runCli(['tenants', 'set-profile', 'acme', '--set', 'uniqueGroupDisplayName=yes'], env);
    assert.equal(badValue.code, 1);
    assert.match(badValue.stderr, /--set takes BEHAVIOUR=true or BEHAVIOUR=false/);
    const badName = await runCli(['tenants', 'set-profile', 'acme', '--set', 'uniqueNames=true'], env);
    assert.match(badName.stderr, /"uniqueNames" is not a profile behaviour/);
    assert.equal((await runCli(['tenants', 'set-profile', 'nope', 'strict'], env)).code, 1);
  });

  it('tokens rotate mints a successor; with --overlap 0m the old token is expired at once', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    await runCli(['tenants', 'create', 'acme'], env);
    const old = JSON.parse((await runCli(['tokens', 'create', '--tenant', 'acme', '--label', 'entra', '--json'], env)).stdout);
    const rotated = await runCli(['tokens', 'rotate', old.id, '--overlap', '0m', '--json'], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const line = JSON.parse(rotated.stdout);
    assert.equal(line.previous, old.id);
    assert.match(line.token, /^scimd_/);
    const list = (await runCli(['tokens', 'list', '--tenant', 'acme'], env)).stdout;
    assert.match(list, new RegExp(`^${old.id}\\tacme\\texpired `, 'm'));
    assert.match(list, new RegExp(`^${line.id}\\tacme\\tactive\\t.*\\tentra$`, 'm'));
    const again = await runCli(['tokens', 'rotate', old.id], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is expired/);
  });

  it('admin-tokens create / list / revoke', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    const minted = await runCli(['admin-tokens', 'create', '--label', 'ops', '--json'], env);
    assert.equal(minted.code, 0, minted.stderr);
    const { id, token } = JSON.parse(minted.stdout);
    assert.match(token, /^scimd_admin_/);
    const list = (await runCli(['admin-tokens', 'list'], env)).stdout;
    assert.match(list, new RegExp(`^${id}\\tactive\\tcreated \\S+\\tlast used never\\tops$`, 'm'));
    assert.ok(!list.includes(token));
    assert.equal((await runCli(['admin-tokens', 'revoke', id], env)).code, 0);
    assert.match((await runCli(['admin-tokens', 'list'], env)).stdout, new RegExp(`^${id}\\trevoked `, 'm'));
    assert.equal((await runCli(['admin-tokens', 'revoke', 'adm_missing'], env)).code, 1);
  });

  it('a running server accepts a CLI-minted admin token on /admin, and its writes show in audit list', async () => {
    const bootstrap = 'bootstrap-token-for-admin-cli-0123456789';
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl(), SCIMD_BOOTSTRAP_TOKEN: bootstrap };
    const adminToken = JSON.parse((await runCli(['admin-tokens', 'create', '--json'], env)).stdout).token;
    const port = freePort();
    const served = await startServe(env, port);
    try {
      const origin = `http://127.0.0.1:${port}`;
      assert.equal(
        (await fetch(`${origin}/admin/tenants`, { headers: { authorization: `Bearer ${bootstrap}` } })).status,
        401,
        'a SCIM token is refused',
      );
      const tenants = await fetch(`${origin}/admin/tenants`, { headers: { authorization: `Bearer ${adminToken}` } });
      assert.equal(tenants.status, 200);
      assert.deepEqual(
        ((await tenants.json()) as { tenants: { name: string }[] }).tenants.map((t) => t.name),
        ['default'],
      );
      const created = await fetch(`${served.url}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bootstrap}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(USER),
      });
      assert.equal(created.status, 201);
      const { id } = (await created.json()) as { id: string };
      const audit = (await (await fetch(`${origin}/admin/audit`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as {
        entries: { resourceId: string; status: number }[];
      };
      assert.deepEqual(
        audit.entries.map((e) => [e.resourceId, e.status]),
        [[id, 201]],
      );
    } finally {
      assert.equal(await served.stop(), 0);
    }
    const listed = await runCli(['audit', 'list', '--tenant', 'default'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^\S+Z\tdefault\ttok_\w+\tcreate\tUser\t[0-9a-f-]{36}\t201$/m);
    assert.ok(!listed.stdout.includes('Secret-Pa55word') && !listed.stdout.includes('cli-audited'));
    const json = await runCli(['audit', 'list', '--json', '--count', '1'], env);
    assert.equal(JSON.parse(json.stdout.trim().split('\n')[0]!).operation, 'create');
    assert.equal((await runCli(['audit', 'list', '--since', 'never'], env)).code, 1);
  });
});
