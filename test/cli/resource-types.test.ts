import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { freePort, runCli, startServe, tempDatabaseUrl } from './process.ts';

/** The contract command of issue 18: `scimd resource-types enable --tenant NAME Roles Entitlements GroupMembers Agents Devices`. */
describe('scimd resource-types', () => {
  it('enable takes any subset of the optional types, disable the reverse, list shows each', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    assert.equal((await runCli(['tenants', 'create', 'acme'], env)).code, 0);
    const all = await runCli(
      ['resource-types', 'enable', '--tenant', 'acme', 'Roles', 'Entitlements', 'GroupMembers', 'Agents', 'Devices'],
      env,
    );
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^Roles\tRole\tenabled\turn:ietf:params:scim:schemas:core:2\.0:Role$/m);
    assert.match(all.stdout, /^Devices\tDevice\tenabled\t/m);
    const off = await runCli(['resource-types', 'disable', '--tenant', 'acme', 'agents', 'Device'], env);
    assert.equal(off.code, 0, off.stderr);
    const listed = await runCli(['resource-types', 'list', '--tenant', 'acme', '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      JSON.parse(listed.stdout).map((s: { endpoint: string; enabled: boolean }) => `${s.endpoint}:${s.enabled}`),
      ['Roles:true', 'Entitlements:true', 'GroupMembers:true', 'Agents:false', 'Devices:false'],
    );
    const unknown = await runCli(['resource-types', 'enable', '--tenant', 'acme', 'Roles', 'Printers'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no optional resource type "Printers"/);
    const noTenant = await runCli(['resource-types', 'enable', '--tenant', 'nope', 'Roles'], env);
    assert.equal(noTenant.code, 1);
    assert.match(noTenant.stderr, /no tenant named "nope"/);
  });

  it('a running server shows a type the CLI enabled without a restart', async () => {
    const token = 'bootstrap-token-for-resource-type-tests-0123456789';
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl(), SCIMD_BOOTSTRAP_TOKEN: token };
    const served = await startServe(env, freePort());
    try {
      const headers = { authorization: `Bearer ${token}` };
      const url = `${served.url}/ResourceTypes/Role`;
      assert.equal((await fetch(url, { headers })).status, 404);
      const enabled = await runCli(['resource-types', 'enable', '--tenant', 'default', 'Roles'], env);
      assert.equal(enabled.code, 0, enabled.stderr);
      const deadline = Date.now() + 5000;
      let status = 404;
      while (status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await fetch(url, { headers })).status;
      }
      assert.equal(status, 200, 'the server published the enabled type');
    } finally {
      await served.stop();
    }
  });
});
