import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { unreachable } from '../testing/unreachable.ts';

/**
 * Test support for the PostgreSQL suites: where the server is, whether to skip, and throwaway
 * databases and schemas so that runs never interfere. Not imported by production code.
 */

/** A URL with rights to CREATE DATABASE / SCHEMA. `SCIMD_TEST_POSTGRES_URL` overrides it. */
export const POSTGRES_TEST_URL = process.env['SCIMD_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const hostOf = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}`;
};

/**
 * `{ skip: reason }` when nothing answers at PostgreSQL's address (connection refused or timed
 * out) and CI is not "true"; `{}` when PostgreSQL answers `SELECT 1`. Anything else throws, which
 * fails the suite's file: on CI an unreachable server, and anywhere a server that answers with an
 * error (bad login, no permission, no such database), is a failure, never a skip.
 */
export async function postgresTestOptions(url = POSTGRES_TEST_URL): Promise<{ skip?: string }> {
  const u = new URL(url);
  const why = await unreachable(u.hostname, Number(u.port || 5432));
  if (why !== undefined) {
    const reason = `PostgreSQL not reachable at ${hostOf(url)} (${why})`;
    if (process.env['CI'] === 'true') throw new Error(`${reason}; CI=true skips nothing`);
    return { skip: reason };
  }
  await admin(url, (c) => c.query('SELECT 1'));
  return {};
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface Scratch {
  /** The URL of the new database (or of the schema, through search_path). */
  readonly url: string;
  drop(): Promise<void>;
}

const suffix = () => randomBytes(6).toString('hex');

/**
 * `CREATE DATABASE scimd_test_<run>_<random>`; drop() removes it, closing stray connections. `<run>`
 * is the tag scripts/test.mjs gives its run (SCIMD_TEST_RUN), which at the end drops what a killed
 * file left.
 */
export async function createTestDatabase(url = POSTGRES_TEST_URL): Promise<Scratch> {
  const run = process.env['SCIMD_TEST_RUN'];
  const name = `scimd_test_${run && /^[0-9a-f]{8}$/.test(run) ? `${run}_` : ''}${suffix()}`;
  await admin(url, (c) => c.query(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`));
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: () => admin(url, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * A fresh schema in the database `url` names, and a URL whose connections use it alone
 * (`options=-c search_path=…`): lighter than a database, for the many HTTP harnesses.
 */
export async function createTestSchema(url: string): Promise<Scratch> {
  const name = `scimd_h_${suffix()}`;
  await admin(url, (c) => c.query(`CREATE SCHEMA ${name}`));
  const target = new URL(url);
  target.searchParams.set('options', `-c search_path=${name}`);
  return {
    url: target.toString(),
    drop: () => admin(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`)).then(() => undefined),
  };
}
