// One command (npm run example:people-directory): a scimd publishing to RabbitMQ, and the people
// directory following it into PostgreSQL. Needs RabbitMQ (guest/guest) and PostgreSQL (trust) on
// 127.0.0.1, as the test suite does; override with RABBIT_URL, ADMIN_DATABASE_URL.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPeopleDirectory } from './service.ts';

const root = new URL('../..', import.meta.url).pathname;
const token = 'people-directory-demo-token';
const scimPort = Number(process.env['SCIM_PORT'] ?? 8080);
const rabbit = process.env['RABBIT_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672/?exchange=people-directory-demo';
const admin = process.env['ADMIN_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// The service's own database.
const database = new URL(admin);
database.pathname = '/people_directory';
const client = new pg.Client({ connectionString: admin });
await client.connect();
if ((await client.query(`SELECT 1 FROM pg_database WHERE datname = 'people_directory'`)).rowCount === 0) {
  await client.query('CREATE DATABASE people_directory');
}
await client.end();

// scimd, on a SQLite file of its own, publishing every change to RabbitMQ.
const dir = mkdtempSync(join(tmpdir(), 'people-directory-'));
const scimd = spawn(process.execPath, [join(root, 'bin/scimd.js'), 'serve'], {
  env: {
    ...process.env,
    SCIMD_PORT: String(scimPort),
    SCIMD_DATABASE_URL: `sqlite:${join(dir, 'scimd.db')}`,
    SCIMD_BOOTSTRAP_TOKEN: token,
    SCIMD_EVENT_SINKS: rabbit,
    SCIMD_LOG_LEVEL: 'warn',
  },
  stdio: 'inherit',
});
const scimUrl = `http://127.0.0.1:${scimPort}/scim/v2`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${scimPort}/readyz`)).ok) break;
  } catch {
    if (i > 100) throw new Error('scimd did not start');
  }
  await new Promise((r) => setTimeout(r, 100));
}

const directory = await startPeopleDirectory({
  scimUrl,
  scimToken: token,
  tenant: 'default',
  rabbitUrl: rabbit,
  databaseUrl: database.href,
  port: Number(process.env['PORT'] ?? 8090),
});
console.log(`
scimd:            ${scimUrl}   (token ${token})
people directory: ${directory.url}

Try it:
  curl -s -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/scim+json' -X POST ${scimUrl}/Users \\
    -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@example.com","displayName":"Babs Jensen"}'
  curl -s ${directory.url}
  psql ${database.href} -c 'SELECT user_name, groups FROM people'

Ctrl-C stops both.`);

const stop = async () => {
  await directory.stop();
  scimd.kill('SIGTERM');
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
