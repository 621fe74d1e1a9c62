import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { buildConsole } from '../../scripts/build-console.mjs';
import { loadConfig } from '../../src/config/load.ts';
import { createServer, type Server } from '../../src/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip =
  !existsSync(CHROMIUM) && process.env['CI'] !== 'true'
    ? `Debian's Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`
    : false;

/** The console's password-check page (docs/password-sync.md) in Chromium: mint a verify token, see a lockout, clear it. */
describe('console in Chromium: password checks', { skip }, () => {
  let server: Server;
  let base = '';
  let browser: Browser;
  let dir = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scimd-console-verify-'));
    await buildConsole(join(dir, 'console'));
    const config = loadConfig({ SCIMD_DATABASE_URL: `sqlite:${join(dir, 'scimd.db')}`, SCIMD_VERIFY_LOCKOUT_THRESHOLD: '2' });
    server = await createServer(config, { consoleDir: join(dir, 'console') });
    base = await server.app.listen({ host: '127.0.0.1', port: 0 });
    await server.tenants.createTenant('contoso');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('mints a verify token shown once, which checks passwords; shows the lockout it caused and clears it', async () => {
    const scimToken = (await server.tenants.mintToken('contoso')).token;
    const created = await fetch(`${base}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'megan@contoso.example',
        password: 'Megan-Pa55',
      }),
    });
    assert.equal(created.status, 201);
    const page = await (await browser.newContext()).newPage();
    const link = await server.consoleSessions.mintSignInLink();
    await page.goto(`${base}/console/#signin=${link.secret}`);
    await page.getByRole('heading', { name: 'Tenants' }).waitFor();
    await page.goto(`${base}/console/tenants/contoso/password-checks`);
    await page.getByRole('heading', { name: 'Password checks of contoso' }).waitFor();
    await page.getByLabel('Label').fill('login');
    await page.getByRole('button', { name: 'Mint verify token' }).click();
    const token = await page.locator('[data-secret]').inputValue();
    assert.match(token, /^scimd_verify_/);

    const verify = (password: string) =>
      fetch(`${base}/auth/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userName: 'megan@contoso.example', password }),
      });
    assert.equal((await verify('Megan-Pa55')).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await verify('wrong')).status, 401);
    assert.equal((await verify('Megan-Pa55')).status, 401, 'locked');

    await page.reload();
    const row = page.getByRole('row').filter({ hasText: 'megan@contoso.example' });
    await row.waitFor();
    assert.match(await row.innerText(), /\b2\b/);
    await page.getByRole('button', { name: 'Clear megan@contoso.example' }).click();
    await page.getByText('0 userNames with failures').waitFor();
    assert.equal((await verify('Megan-Pa55')).status, 200, 'cleared from the console');
  });
});
