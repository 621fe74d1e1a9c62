// npm run test:package: the package as a user gets it. `npm pack` builds the tarball (prepack:
// the bundle), `npm install -g` puts it under a temporary prefix, and the installed `scimd` runs
// in an empty directory, with no source tree around: --version, --help, serve (first start, a
// SCIM request with the printed token), and a CLI command on the same database. Not part of
// `npm test`: installing compiles better-sqlite3 from source on a machine without its prebuilt
// binary, which takes minutes.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;
const temp = (name: string) => mkdtempSync(join(tmpdir(), `scimd-${name}-`));

describe('the npm package, installed globally into an empty prefix', { timeout: 30 * 60_000 }, () => {
  let scimd: string;
  let empty: string;
  let served: ChildProcess | undefined;

  before(() => {
    const packs = temp('pack');
    execFileSync('npm', ['pack', '--pack-destination', packs], { cwd: root, stdio: 'ignore' });
    const tarball = join(packs, readdirSync(packs).find((f) => f.endsWith('.tgz'))!);
    const prefix = temp('prefix');
    execFileSync(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--allow-scripts=better-sqlite3,esbuild',
        tarball,
      ],
      { cwd: temp('install'), stdio: 'ignore' },
    );
    scimd = join(prefix, 'bin', 'scimd');
    assert.ok(!existsSync(join(prefix, 'lib/node_modules/scimd/src')), 'the package ships the bundle, not the sources');
    empty = temp('run');
  });
  after(() => served?.kill('SIGTERM'));

  const run = (args: string[], env: Record<string, string> = {}) =>
    execFileSync(scimd, args, { cwd: empty, env: { ...process.env, ...env }, encoding: 'utf8' });

  it('answers --version and --help', () => {
    const { version } = JSON.parse(
      execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: root, encoding: 'utf8' }),
    );
    assert.equal(run(['--version']).trim(), version);
    assert.match(run(['tokens', 'create', '--help']), /^Usage: scimd tokens create \[options\]/);
  });

  it('serves from an empty directory (first start, a SCIM request) and the CLI works on the same database', async () => {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const child = spawn(scimd, ['serve'], { cwd: empty, env: { ...process.env, SCIMD_PORT: String(port) } });
    served = child;
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    for (let i = 0; i < 300 && !output.includes('scimd is serving'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(output, /scimd is serving/);
    const token = JSON.parse(output.split('\n').find((l) => l.includes('"msg":"first start:'))!).token;
    const users = await fetch(`http://127.0.0.1:${port}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(users.status, 200);
    assert.match(run(['tenants', 'list']), /^NAME\tID\tCREATED\tPROFILE\tDISABLED\ndefault\t/);
    assert.ok(existsSync(join(empty, 'data/scimd.db')));
  });
});
