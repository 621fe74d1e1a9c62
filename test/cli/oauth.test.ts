import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, tempDatabaseUrl } from './process.ts';

describe('scimd oauth', () => {
  it("set, show, list and remove a tenant's issuer on one database", async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    assert.equal((await runCli(['tenants', 'create', 'acme'], env)).code, 0);
    const set = await runCli(
      [
        'oauth',
        'set',
        '--tenant',
        'acme',
        '--issuer',
        'https://idp.example.com',
        '--jwks-url',
        'https://idp.example.com/keys',
        '--audience',
        'scimd',
        '--algorithms',
        'RS256,ES256',
        '--clock-skew',
        '30',
        '--subject-attribute',
        'id',
      ],
      env,
    );
    assert.equal(set.code, 0, set.stderr);
    const shown = JSON.parse((await runCli(['oauth', 'show', '--tenant', 'acme'], env)).stdout);
    assert.equal(shown.tenant, 'acme');
    assert.equal(shown.issuer, 'https://idp.example.com');
    assert.deepEqual(shown.algorithms, ['RS256', 'ES256']);
    assert.equal(shown.clockSkewSeconds, 30);
    assert.equal(shown.subjectAttribute, 'id');
    assert.equal(shown.tenantClaim, 'tenant');
    assert.equal(shown.tenantValue, 'acme');
    const listed = (await runCli(['oauth', 'list'], env)).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      listed.map((r) => r.tenant),
      ['acme'],
    );

    const removed = await runCli(['oauth', 'remove', '--tenant', 'acme'], env);
    assert.equal(removed.code, 0, removed.stderr);
    const gone = await runCli(['oauth', 'show', '--tenant', 'acme'], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^scimd: tenant "acme" has no OAuth issuer/m);
  });

  it('a bad setting is one clear line and exit 1', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    await runCli(['tenants', 'create', 'acme'], env);
    const hs = await runCli(
      [
        'oauth',
        'set',
        '--tenant',
        'acme',
        '--issuer',
        'x',
        '--jwks-url',
        'https://idp.example.com/keys',
        '--audience',
        'a',
        '--algorithms',
        'HS256',
      ],
      env,
    );
    assert.equal(hs.code, 1);
    assert.match(hs.stderr, /^scimd: OAuth issuer: algorithm "HS256" is not allowed/m);
    const usage = await runCli(['oauth', 'set'], env);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /oauth set --tenant NAME/);
  });
});
