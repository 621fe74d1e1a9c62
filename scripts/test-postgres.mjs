#!/usr/bin/env node
// Runs suites against PostgreSQL: creates a database for this run, points the HTTP test harness
// at it (SCIMD_TEST_DATABASE_URL: each harness then gets a schema of its own), runs the files
// through scripts/test.mjs, and drops the database. Arguments filter the files like test.mjs;
// the default is the HTTP conformance suite, the events suites that run through the harness, and
// the PostgreSQL store suites. `npm test` runs it after the SQLite run (scripts/test.mjs).
//   npm run test:postgres                       # the default selection below
//   npm run test:postgres -- test/events        # any other selection
// SCIMD_TEST_POSTGRES_URL names a server login allowed to CREATE DATABASE
// (default postgres://postgres@127.0.0.1:5432/postgres). When the server does not answer the run
// is skipped with a message, unless CI=true, where that is a failure.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const admin = process.env.SCIMD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const only = process.argv.slice(2);
const selection =
  only.length > 0
    ? only
    : [
        'test/conformance',
        'test/events/outbox.test.ts',
        'test/events/relay.test.ts',
        'test/events/sinks.int.test.ts',
        'src/store/postgres',
        'test/postgres',
      ];
const where = (() => {
  const u = new URL(admin);
  return `${u.hostname}:${u.port || '5432'}`;
})();

async function withClient(fn) {
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const name = `scimd_test_${randomBytes(6).toString('hex')}`;
try {
  await withClient((c) => c.query(`CREATE DATABASE ${name} ENCODING 'UTF8' TEMPLATE template0`));
} catch (error) {
  const reason = `PostgreSQL not reachable at ${where} (${error.message})`;
  if (process.env.CI === 'true') {
    console.error(`test:postgres: ${reason}`);
    process.exit(1);
  }
  console.log(`# SKIP test:postgres: ${reason}`);
  process.exit(0);
}

const target = new URL(admin);
target.pathname = `/${name}`;
const result = spawnSync(process.execPath, [new URL('./test.mjs', import.meta.url).pathname, ...selection], {
  stdio: 'inherit',
  env: { ...process.env, SCIMD_TEST_DATABASE_URL: target.toString() },
});
await withClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch((error) => {
  console.error(`test:postgres: could not drop ${name}: ${error.message}`);
});
process.exit(result.status ?? 1);
