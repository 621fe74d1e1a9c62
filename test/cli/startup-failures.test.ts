import assert from 'node:assert/strict';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { POSTGRES_TEST_URL, postgresTestOptions } from '../../src/store/postgres/testing.ts';
import { freePort, runCli, tempDatabaseUrl } from './process.ts';

/** A port that nothing listens on: taken from the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** `scimd serve` that fails: its exit code, and all it printed on stderr (which must be one line). */
async function failedServe(env: Record<string, string>, user: { uid?: number; gid?: number } = {}) {
  const result = await runCli(['serve'], { SCIMD_HOST: '127.0.0.1', SCIMD_PORT: String(freePort()), ...env }, undefined, user);
  return { code: result.code, stderr: result.stderr };
}

const one = (line: string) => `scimd: ${line}\n`;

describe('scimd serve: every failure to start is one line naming what, where and why (docs/deploy.md, exit codes)', () => {
  it('the port is in use: exit 1', async () => {
    const blocker: Server = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: tempDatabaseUrl(), SCIMD_PORT: String(port) }), {
        code: 1,
        stderr: one(`cannot listen on 127.0.0.1:${port}: the address is already in use by another process (EADDRINUSE)`),
      });
    } finally {
      blocker.close();
    }
  });

  it('a host that does not resolve: exit 2', async () => {
    assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: tempDatabaseUrl(), SCIMD_HOST: 'nosuchhost.invalid', SCIMD_PORT: '8080' }), {
      code: 2,
      stderr: one('cannot listen on nosuchhost.invalid:8080: the host name does not resolve (ENOTFOUND)'),
    });
  });

  it('an address that is not this machine’s: exit 2', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a machine. Nothing is sent; bind() refuses.
    assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: tempDatabaseUrl(), SCIMD_HOST: '192.0.2.1', SCIMD_PORT: '8080' }), {
      code: 2,
      stderr: one("cannot listen on 192.0.2.1:8080: the address is not one of this machine's (EADDRNOTAVAIL)"),
    });
  });

  it('a SQLite path under a file: exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimd-fail-'));
    writeFileSync(join(dir, 'data'), 'a file where a directory should be');
    assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: `sqlite:${join(dir, 'data/scimd.db')}` }), {
      code: 2,
      stderr: one(`cannot open the SQLite database ${join(dir, 'data/scimd.db')}: a part of the path is a file, not a directory (EEXIST)`),
    });
    assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: `sqlite:${join(dir, 'data/deeper/scimd.db')}` }), {
      code: 2,
      stderr: one(
        `cannot open the SQLite database ${join(dir, 'data/deeper/scimd.db')}: a part of the path is a file, not a directory (ENOTDIR)`,
      ),
    });
  });

  it('a file that is not a SQLite database: exit 2', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scimd-fail-')), 'scimd.db');
    writeFileSync(file, 'x'.repeat(4096));
    assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: `sqlite:${file}` }), {
      code: 2,
      stderr: one(`cannot open the SQLite database ${file}: it is not a SQLite database (SQLITE_NOTADB)`),
    });
  });

  it('a directory the service may not write in: exit 2', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root, to run the service as the unprivileged user "nobody"');
    const dir = mkdtempSync(join(tmpdir(), 'scimd-fail-'));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'data'), { mode: 0o755 });
    const nobody = { uid: 65534, gid: 65534 };
    assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: `sqlite:${join(dir, 'data/scimd.db')}` }, nobody), {
      code: 2,
      stderr: one(
        `cannot open the SQLite database ${join(dir, 'data/scimd.db')}: permission denied: cannot write in ${join(dir, 'data')} (EACCES)`,
      ),
    });
    assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: `sqlite:${join(dir, 'new/scimd.db')}` }, nobody), {
      code: 2,
      stderr: one(`cannot open the SQLite database ${join(dir, 'new/scimd.db')}: permission denied (EACCES)`),
    });
  });

  it('a migration that fails names it and the database: exit 1', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scimd-fail-')), 'scimd.db');
    const db = new Database(file);
    db.exec('CREATE TABLE tenants (something_else TEXT)');
    db.close();
    assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: `sqlite:${file}` }), {
      code: 1,
      stderr: one(
        `cannot migrate the database sqlite:${file}: migration 1 (tenants, tokens, resources, memberships, values index) failed: table tenants already exists`,
      ),
    });
  });

  it("PostgreSQL's maintenance database is refused before anything is written: exit 2", async () => {
    assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' }), {
      code: 2,
      stderr: one(
        `configuration error: SCIMD_DATABASE_URL names PostgreSQL's maintenance database "postgres": create a database for scimd (CREATE DATABASE scimd) and name it in the URL`,
      ),
    });
  });

  it('PostgreSQL that does not answer: its host:port and the cause, exit 1', async () => {
    const port = await closedPort();
    assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: `postgres://scimd:secret@127.0.0.1:${port}/scimd` }), {
      code: 1,
      stderr: one(`cannot connect to PostgreSQL at 127.0.0.1:${port}: connection refused, nothing listens there (ECONNREFUSED)`),
    });
  });

  it('a PostgreSQL host that does not resolve: exit 2', async () => {
    assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: 'postgres://scimd@nosuchhost.invalid:5432/scimd' }), {
      code: 2,
      stderr: one('cannot connect to PostgreSQL at nosuchhost.invalid:5432: the host name does not resolve (ENOTFOUND)'),
    });
  });

  it('a PostgreSQL database that does not exist: exit 2', async (t) => {
    const options = await postgresTestOptions();
    if (options.skip) return t.skip(options.skip);
    const url = new URL(POSTGRES_TEST_URL);
    url.pathname = '/scimd_no_such_database';
    assert.deepEqual(await failedServe({ SCIMD_DATABASE_URL: url.toString() }), {
      code: 2,
      stderr: one(
        `PostgreSQL at ${url.hostname}:${url.port || '5432'} has no database "scimd_no_such_database": create it (CREATE DATABASE "scimd_no_such_database") or correct SCIMD_DATABASE_URL`,
      ),
    });
  });
});
