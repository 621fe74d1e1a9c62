import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli, tempDatabaseUrl } from './process.ts';

describe('scimd CLI', () => {
  it('tenants create/list and tokens create --json/list/revoke work on one database', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    const created = await runCli(['tenants', 'create', 'acme'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created tenant acme/);

    const listed = await runCli(['tenants', 'list'], env);
    assert.match(listed.stdout, /^acme\t/m);

    const minted = await runCli(['tokens', 'create', '--tenant', 'acme', '--expires', '90d', '--json'], env);
    assert.equal(minted.code, 0, minted.stderr);
    const line = JSON.parse(minted.stdout.trim());
    assert.deepEqual(Object.keys(line), ['tenant', 'id', 'token']);
    assert.equal(line.tenant, 'acme');
    assert.match(line.token, /^scimd_/);

    const tokens = await runCli(['tokens', 'list'], env);
    assert.match(tokens.stdout, new RegExp(`^${line.id}\\tacme\\texpires `, 'm'));
    assert.ok(!tokens.stdout.includes(line.token), 'token secrets are never listed');

    const revoked = await runCli(['tokens', 'revoke', line.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match((await runCli(['tokens', 'list'], env)).stdout, new RegExp(`^${line.id}\\tacme\\trevoked `, 'm'));
  });

  it('a duplicate tenant, an unknown tenant or token are one clear line and exit 1', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    await runCli(['tenants', 'create', 'acme'], env);
    const dup = await runCli(['tenants', 'create', 'acme'], env);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /^scimd: /);
    const unknown = await runCli(['tokens', 'create', '--tenant', 'nope'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no tenant named "nope"/);
    const revoke = await runCli(['tokens', 'revoke', 'tok_missing'], env);
    assert.equal(revoke.code, 1);
  });

  it('migrate applies migrations once', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    const first = await runCli(['migrate'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied migrations: 1/);
    const second = await runCli(['migrate'], env);
    assert.match(second.stdout, /up to date/);
  });

  it('a bad configuration value is one clear message and exit code 2', async () => {
    const result = await runCli(['migrate'], { SCIMD_PORT: 'eighty' });
    assert.equal(result.code, 2);
    assert.equal(result.stderr.trim(), 'scimd: configuration error: SCIMD_PORT must be a whole number, got "eighty"');
  });

  it('an unreadable SET signing key file stops serve with one clear message and exit code 2', async () => {
    const result = await runCli(['serve'], {
      SCIMD_DATABASE_URL: tempDatabaseUrl(),
      SCIMD_PORT: '0',
      SCIMD_SET_SIGNING_KEYS: '/nonexistent/set-keys.json',
    });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr.trim(),
      'scimd: configuration error: SCIMD_SET_SIGNING_KEYS: cannot read /nonexistent/set-keys.json: ENOENT',
    );
  });

  it('an unknown command prints the usage and exits 1', async () => {
    const result = await runCli(['frobnicate'], { SCIMD_DATABASE_URL: tempDatabaseUrl() });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Usage: scimd/);
  });
});
