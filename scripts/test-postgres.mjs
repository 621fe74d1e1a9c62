#!/usr/bin/env node
// Runs suites against PostgreSQL (started with `node --import tsx`: it uses the test support of
// src/store/postgres/testing.ts): creates a database for this run, points the HTTP test harness
// at it (SCIMD_TEST_DATABASE_URL: each harness then gets a schema of its own), runs the files
// through scripts/test.mjs, and drops the database. Arguments filter the files like test.mjs;
// the default is the HTTP conformance suite, the events suites that run through the harness, and
// the PostgreSQL store suites. `npm test` runs it after the SQLite run (scripts/test.mjs).
//   npm run test:postgres                       # the default selection below
//   npm run test:postgres -- test/events        # any other selection
// SCIMD_TEST_POSTGRES_URL names a server login allowed to CREATE DATABASE
// (default postgres://postgres@127.0.0.1:5432/postgres). When nothing answers there (connection
// refused or timed out) the run is skipped with a message, unless CI=true, where that is a
// failure; any other error (bad login, no permission) is a failure everywhere.
// SCIMD_TEST_SKIP_FILE (set by test.mjs): where to write the reason when the run is skipped.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createTestDatabase, postgresTestOptions } from '../src/store/postgres/testing.ts';

const only = process.argv.slice(2);
const selection =
  only.length > 0
    ? only
    : [
        'test/conformance',
        'test/events/outbox.test.ts',
        'test/events/relay.test.ts',
        'test/events/sinks.int.test.ts',
        'test/consumer',
        'src/store/postgres',
        'test/postgres',
      ];

let database;
try {
  const { skip } = await postgresTestOptions();
  if (skip) {
    console.log(`# SKIP test:postgres: ${skip}`);
    if (process.env.SCIMD_TEST_SKIP_FILE) writeFileSync(process.env.SCIMD_TEST_SKIP_FILE, skip);
    process.exit(0);
  }
  database = await createTestDatabase();
} catch (error) {
  console.error(`test:postgres: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const result = spawnSync(process.execPath, [new URL('./test.mjs', import.meta.url).pathname, ...selection], {
  stdio: 'inherit',
  env: { ...process.env, SCIMD_TEST_DATABASE_URL: database.url },
});
await database.drop().catch((error) => console.error(`test:postgres: could not drop the test database: ${error.message}`));
process.exit(result.status ?? 1);
