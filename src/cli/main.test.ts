import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { Cli } from './cli.ts';
import { main } from './main.ts';
import { createProgram } from './program.ts';

/** Runs main in this process (no database is opened by help, version or config) and captures its output. */
async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, env);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The commands of docs/cli.md as of this release: each must keep answering --help. */
const DOCUMENTED = [
  'serve',
  'migrate',
  'backup',
  'relay',
  'config',
  'events tail',
  'tenants create',
  'tenants list',
  'tenants disable',
  'tenants enable',
  'tenants delete',
  'tenants set-profile',
  'tokens create',
  'tokens list',
  'tokens revoke',
  'tokens rotate',
  'admin-tokens create',
  'admin-tokens list',
  'admin-tokens revoke',
  'audit list',
  'schema list',
  'schema add-attribute',
  'schema import',
  'schema remove-attribute',
  'schema remove',
  'oauth set',
  'oauth show',
  'oauth list',
  'oauth remove',
  'verify-tokens create',
  'verify-tokens list',
  'verify-tokens revoke',
  'verify-tokens rotate',
  'lockouts list',
  'lockouts clear',
];

function leaves(command: Command, path: string[] = []): string[] {
  const subs = command.commands.filter((c) => c.name() !== 'help');
  if (subs.length === 0) return [path.join(' ')];
  return subs.flatMap((c) => leaves(c, [...path, c.name()]));
}

describe('scimd command line: help, version and usage errors', () => {
  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) assert.deepEqual(await run([flag]), { code: 0, stdout: version, stderr: '' });
  });

  it('every documented command and every group answers --help with its usage on stdout and exit 0', async () => {
    const groups = [...new Set(DOCUMENTED.filter((c) => c.includes(' ')).map((c) => c.split(' ')[0]!))];
    for (const command of [...DOCUMENTED, ...groups]) {
      const result = await run([...command.split(' '), '--help']);
      assert.equal(result.code, 0, command);
      assert.match(result.stdout, new RegExp(`^Usage: scimd ${command} `), command);
      assert.equal(result.stderr, '', command);
    }
    assert.equal((await run(['help', 'tokens'])).code, 0);
  });

  it('every registered command has a description and answers --help (a command added later included)', async () => {
    const program = createProgram(new Cli({ out: () => undefined, err: () => undefined }, {}));
    const all = leaves(program);
    assert.ok(DOCUMENTED.every((c) => all.includes(c)));
    for (const command of all) {
      assert.equal((await run([...command.split(' '), '--help'])).code, 0, command);
      let node: Command = program;
      for (const name of command.split(' ')) node = node.commands.find((c) => c.name() === name)!;
      assert.notEqual(node.description(), '', `${command} has no description`);
    }
  });

  it('a group without its subcommand prints its help on stderr and exits 1', async () => {
    const result = await run(['tokens']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^Usage: scimd tokens \[options\] \[command\]/);
    assert.match(result.stderr, /^ {2}rotate \[options\] <ID> /m);
  });

  it('an unknown option or a missing required one is one line, then the usage of that command, exit 1', async () => {
    const unknown = await run(['tokens', 'create', '--tenant', 'acme', '--colour', 'red']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^scimd: unknown option '--colour'\n\nUsage: scimd tokens create \[options\]/);
    const missing = await run(['tokens', 'create']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^scimd: required option '--tenant <NAME>' not specified\n\nUsage: scimd tokens create/);
    const notNumber = await run(['audit', 'list', '--count', 'ten']);
    assert.equal(notNumber.code, 1);
    assert.match(notNumber.stderr, /^scimd: option '--count <N>' argument 'ten' is invalid\. expected a whole number\./);
  });

  it('an unknown command names itself and prints the usage, exit 1', async () => {
    const result = await run(['frobnicate']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^scimd: unknown command 'frobnicate'\n\nUsage: scimd \[options\] \[command\]/);
  });
});

describe('scimd config', () => {
  it('prints every setting with its value in effect and where it came from, secrets masked', async () => {
    const env = {
      SCIMD_PORT: '9090',
      SCIMD_DATABASE_URL: 'postgres://scimd:hunter2-password@db.internal:5432/scimd?pool=20',
      SCIMD_ADMIN_TOKEN: 'admin-secret-0123456789abcdef',
      SCIMD_EVENT_SINKS: 'amqp://guest:guestpass@mq:5672,https://hooks.example.com/scim#secret=webhook-secret-1',
    };
    const table = await run(['config'], env);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.split('\n');
    assert.equal(lines[0], 'VARIABLE\tVALUE\tSOURCE');
    assert.ok(lines.includes('SCIMD_PORT\t9090\tenvironment'));
    assert.ok(lines.includes('SCIMD_HOST\t127.0.0.1\tdefault'));
    assert.ok(lines.includes('SCIMD_RATE_LIMIT_TENANT_BURST\t2000\tdefault'));
    assert.ok(lines.includes('SCIMD_DATABASE_URL\tpostgres://scimd:***@db.internal:5432/scimd?pool=20\tenvironment'));
    assert.ok(lines.includes('SCIMD_ADMIN_TOKEN\t*** (set)\tenvironment'));
    assert.ok(lines.includes('SCIMD_BOOTSTRAP_TOKEN\t(unset)\tdefault'));
    assert.ok(lines.includes('SCIMD_EVENT_SINKS\tamqp://guest:***@mq:5672,https://hooks.example.com/scim#secret=***\tenvironment'));
    for (const secret of ['hunter2-password', 'admin-secret-0123456789abcdef', 'guestpass', 'webhook-secret-1']) {
      assert.ok(!table.stdout.includes(secret), `${secret} is printed`);
    }
    const json = JSON.parse((await run(['config', '--json'], env)).stdout) as { name: string; value?: string; source: string }[];
    assert.deepEqual(
      json.find((s) => s.name === 'SCIMD_PORT'),
      { name: 'SCIMD_PORT', value: '9090', source: 'environment' },
    );
  });

  it('a misspelt SCIMD_ variable is a warning naming the nearest known one; the test suite’s own SCIMD_TEST_* are not', async () => {
    const result = await run(['config'], { SCIMD_PROT: '9090', SCIMD_DATABSE_URL: 'sqlite::memory:', SCIMD_TEST_INNER: '1' });
    assert.equal(result.code, 0);
    assert.equal(
      result.stderr,
      [
        'scimd: warning: SCIMD_DATABSE_URL is not a scimd setting and is ignored; did you mean SCIMD_DATABASE_URL? (scimd config lists them)',
        'scimd: warning: SCIMD_PROT is not a scimd setting and is ignored; did you mean SCIMD_PORT? (scimd config lists them)',
      ].join('\n'),
    );
  });

  it('a bad value is one line and exit 2', async () => {
    assert.deepEqual(await run(['config'], { SCIMD_PORT: 'eighty' }), {
      code: 2,
      stdout: '',
      stderr: 'scimd: configuration error: SCIMD_PORT must be a whole number, got "eighty"',
    });
  });
});

describe('the first-start banner at a terminal', () => {
  it("shows the token once, then uses $TOKEN, and the console's one-time sign-in link", async () => {
    const { firstStartBanner } = await import('./serve.ts');
    const link = 'http://127.0.0.1:8080/console/#signin=scimd_link_abc';
    const banner = firstStartBanner('scimd_secret123', 'http://127.0.0.1:8080/scim/v2', 'npx scimd tokens create --tenant default', link);
    assert.equal(banner.split('scimd_secret123').length, 2);
    assert.match(banner, /^ {2}http:\/\/127\.0\.0\.1:8080\/console\/#signin=scimd_link_abc$/m);
    assert.match(banner, /^ {2}TOKEN=scimd_secret123$/m);
    assert.match(banner, /^ {2}curl -H "Authorization: Bearer \$TOKEN" http:\/\/127\.0\.0\.1:8080\/scim\/v2\/Users$/m);
  });
});
