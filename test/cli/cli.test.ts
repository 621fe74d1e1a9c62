import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDatabaseUrl } from './process.ts';

describe('scimd CLI', () => {
  it('tenants create/list and tokens create --json/list/revoke work on one database', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    const created = await runCli(['tenants', 'create', 'acme'], env);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /created tenant acme/);

    const listed = await runCli(['tenants', 'list'], env);
    assert.match(listed.stdout, /^NAME\tID\tCREATED\tPROFILE\tDISABLED\nacme\t\S+\t\S+\tlenient$/m);
    const [tenant] = JSON.parse((await runCli(['tenants', 'list', '--json'], env)).stdout);
    assert.equal(tenant.name, 'acme');

    const minted = await runCli(['tokens', 'create', '--tenant', 'acme', '--expires', '90d', '--json'], env);
    assert.equal(minted.code, 0, minted.stderr);
    const line = JSON.parse(minted.stdout.trim());
    assert.deepEqual(Object.keys(line), ['tenant', 'id', 'token']);
    assert.equal(line.tenant, 'acme');
    assert.match(line.token, /^scimd_/);

    const tokens = await runCli(['tokens', 'list'], env);
    assert.match(tokens.stdout, new RegExp(`^ID\tTENANT\tSTATE\tCREATED\tLAST USED\tLABEL\n${line.id}\\tacme\\texpires `));
    const [listedToken] = JSON.parse((await runCli(['tokens', 'list', '--json'], env)).stdout);
    assert.deepEqual([listedToken.id, listedToken.tenant, listedToken.state], [line.id, 'acme', 'active']);
    assert.ok(!JSON.stringify(listedToken).includes(line.token));
    assert.ok(!tokens.stdout.includes(line.token), 'token secrets are never listed');

    const revoked = await runCli(['tokens', 'revoke', line.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match((await runCli(['tokens', 'list'], env)).stdout, new RegExp(`^${line.id}\\tacme\\trevoked `, 'm'));
  });

  it('a duplicate tenant (named with the existing id), an unknown tenant or token are one clear line and exit 1', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    const id = /\(([0-9a-f-]{36})\)$/m.exec((await runCli(['tenants', 'create', 'acme'], env)).stdout)?.[1];
    const dup = await runCli(['tenants', 'create', 'acme'], env);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, new RegExp(`^scimd: a tenant named "acme" already exists \\(id ${id}\\)$`, 'm'));
    const unknown = await runCli(['tokens', 'create', '--tenant', 'nope'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no tenant named "nope"/);
    const revoke = await runCli(['tokens', 'revoke', 'tok_missing'], env);
    assert.equal(revoke.code, 1);
  });

  it('--version and <command> --help answer from a real process with exit 0', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const shown = await runCli(['--version'], {});
    assert.deepEqual([shown.code, shown.stdout.trim()], [0, version]);
    const help = await runCli(['tokens', 'create', '--help'], {});
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: scimd tokens create \[options\]/);
  });

  it('names the database on stderr unless it is the default one here, and a read-only command never creates one', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'scimd-cwd-'));
    const refused = await runCli(['tenants', 'list'], { SCIMD_DATABASE_URL: undefined }, elsewhere);
    assert.equal(refused.code, 2);
    assert.equal(
      refused.stderr.trim(),
      `scimd: configuration error: no database at ${join(elsewhere, 'data/scimd.db')} (the default sqlite:./data/scimd.db is relative to the working directory): run scimd where the server runs, or set SCIMD_DATABASE_URL; a read-only command does not create one`,
    );
    assert.ok(!existsSync(join(elsewhere, 'data')), 'nothing was created');

    const created = await runCli(['tenants', 'create', 'acme'], { SCIMD_DATABASE_URL: undefined }, elsewhere);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stderr, '', 'the default database of the working directory goes without saying');
    const url = tempDatabaseUrl();
    const named = await runCli(['tenants', 'create', 'acme'], { SCIMD_DATABASE_URL: url });
    assert.equal(named.stderr, `scimd: database ${url}\n`);
  });

  it('backup copies the SQLite database online, and the copy restores as a working database', async () => {
    const env = { SCIMD_DATABASE_URL: tempDatabaseUrl() };
    await runCli(['tenants', 'create', 'acme'], env);
    const minted = JSON.parse((await runCli(['tokens', 'create', '--tenant', 'acme', '--json'], env)).stdout);
    const copy = join(mkdtempSync(join(tmpdir(), 'scimd-backup-')), 'backup.db');
    const backup = await runCli(['backup', copy], env);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, new RegExp(`^backed up sqlite:\\S+ into ${copy} \\(\\d+ pages\\)$`, 'm'));
    const restored = await runCli(['tokens', 'list', '--json'], { SCIMD_DATABASE_URL: `sqlite:${copy}` });
    assert.deepEqual(
      JSON.parse(restored.stdout).map((t: { id: string; tenant: string }) => [t.id, t.tenant]),
      [[minted.id, 'acme']],
    );
    const again = await runCli(['backup', copy], env);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists: back up into a new file/);
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
});
