import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { buildConsole } from '../../scripts/build-console.mjs';
import { loadConfig } from '../../src/config/load.ts';
import { createServer, type Server } from '../../src/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const ADMIN = 'admin-secret-for-the-browser-tests';
const PASSWORD = 'Br0wser-Visible-Never-77';
const USER = 'adele.vance@contoso.example';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ENTRA_AGENT = 'Microsoft.AAD.Provisioning/1.0';
/** Set (to a folder, e.g. docs/console) to save a screenshot of each page there: `npm run screenshots`. */
const SHOTS = process.env['SCIMD_CONSOLE_SCREENSHOTS'];

const missing = !existsSync(CHROMIUM);
const skip =
  missing && process.env['CI'] !== 'true' ? `Debian's Chromium is not installed at ${CHROMIUM} (apt-get install chromium)` : false;

/**
 * The console in a real browser: Debian's Chromium driven by playwright-core (nothing downloads a
 * browser), one browser for the whole file, a context per person. The flows of docs/console.md:
 * sign-in by link and by token, a tenant from creation to its request log, custom attributes,
 * users and groups, token rotation, a customer's setup link, CSRF and sign-out.
 */
describe('console in Chromium', { skip }, () => {
  let server: Server;
  let base = '';
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let dir = '';
  let scimToken = '';
  let userId = '';
  const labelledEverywhere: string[] = [];

  const scim = async (method: string, path: string, body?: unknown, token = scimToken) => {
    const res = await fetch(`${base}/scim/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json', 'user-agent': ENTRA_AGENT },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as any) };
  };

  /** Every form control has an accessible name (a label or aria-label), and the page says so for the record. */
  async function checkPage(p: Page, shot: string) {
    const unlabelled = await p.$$eval('input, select, textarea, button', (elements) =>
      elements
        .filter((e) => {
          const control = e as unknown as { type: string; labels: { length: number } | null; getAttribute(name: string): string | null };
          if (control.type === 'hidden') return false;
          const named =
            (control.labels?.length ?? 0) > 0 || control.getAttribute('aria-label') || (e.tagName === 'BUTTON' && e.textContent?.trim());
          return !named;
        })
        .map((e) => e.outerHTML.slice(0, 80)),
    );
    assert.deepEqual(unlabelled, [], `${shot}: every control is labelled`);
    labelledEverywhere.push(shot);
    // A secret shown once (a test token of a throwaway database) is masked in the published pictures.
    if (SHOTS) await p.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true, mask: [p.locator('[data-secret]')] });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scimd-console-'));
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    await buildConsole(join(dir, 'console'));
    const config = loadConfig({
      SCIMD_DATABASE_URL: `sqlite:${join(dir, 'scimd.db')}`,
      SCIMD_ADMIN_TOKEN: ADMIN,
      SCIMD_RATE_LIMIT_TENANT: '0',
      SCIMD_RATE_LIMIT_TOKEN: '0',
    });
    server = await createServer(config, { consoleDir: join(dir, 'console') });
    base = await server.app.listen({ host: '127.0.0.1', port: 0 });
    await server.tenants.createTenant('fabrikam');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    admin = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await admin.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with the one-time link, which leaves the address bar and works only once', async () => {
    const link = await server.consoleSessions.mintSignInLink();
    await page.goto(`${base}/console/#signin=${link.secret}`);
    await page.getByRole('heading', { name: 'Tenants' }).waitFor();
    assert.ok(!page.url().includes(link.secret), 'the secret is taken out of the URL');
    assert.deepEqual(
      await page.evaluate(() => [(globalThis as any).localStorage.length, (globalThis as any).sessionStorage.length]),
      [0, 0],
    );
    const cookie = (await admin.cookies()).find((c) => c.name === 'scimd_console')!;
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');

    const other = await browser.newContext();
    const again = await other.newPage();
    await again.goto(`${base}/console/#signin=${link.secret}`);
    await again.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
    await again.getByLabel('Admin token').waitFor();
    await other.close();
  });

  it('signs in with the admin token using the keyboard alone', async () => {
    const context = await browser.newContext();
    const p = await context.newPage();
    await p.goto(`${base}/console/`);
    await p.getByLabel('Admin token').waitFor();
    await checkPage(p, 'sign-in');
    await p.keyboard.press('Tab');
    assert.equal(await p.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('name')), 'token');
    await p.keyboard.type(ADMIN);
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { name: 'Tenants' }).waitFor();
    assert.ok(!(await p.content()).includes(ADMIN), 'the token is not kept in the page');
    await context.close();
  });

  it('creates a tenant and mints a token, shown once', async () => {
    await page.getByLabel('New tenant name').fill('contoso');
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByRole('heading', { name: 'contoso', exact: true }).waitFor();
    await checkPage(page, 'overview');
    await page.getByRole('navigation', { name: 'Tenant contoso' }).getByRole('link', { name: 'Tokens' }).click();
    await page.getByLabel('Label').first().fill('entra');
    await page.getByRole('button', { name: 'Mint token' }).click();
    scimToken = await page.locator('[data-secret]').inputValue();
    assert.match(scimToken, /^scimd_/);
    await checkPage(page, 'tokens');
  });

  it("changes the tenant's compatibility profile on its overview, which its SCIM requests follow (docs/profiles.md)", async () => {
    const conformant = async () => (await scim('GET', '/ServiceProviderConfig')).body.interopProfileConformant;
    await page.getByRole('navigation', { name: 'Tenant contoso' }).getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { name: 'Compatibility profile' }).waitFor();
    assert.equal(await page.getByLabel('Profile').inputValue(), 'lenient');
    assert.equal(await conformant(), false);
    await page.getByLabel('Profile').selectOption('strict');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('row', { name: 'requirePatchPath yes' }).waitFor();
    await checkPage(page, 'profile');
    assert.equal(await conformant(), true);
    await page.getByLabel('Profile').selectOption('lenient');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('row', { name: 'requirePatchPath no' }).waitFor();
    assert.equal(await conformant(), false);
  });

  it('creates an OAuth client whose client secret, shown once, gets an access token for the tenant at POST /oauth/token', async () => {
    await page.getByRole('navigation', { name: 'Tenant contoso' }).getByRole('link', { name: 'OAuth clients' }).click();
    await page.getByRole('heading', { name: 'OAuth clients of contoso' }).waitFor();
    await page.getByLabel('Client name').fill('Entra ID');
    await page.getByRole('button', { name: 'Create client' }).click();
    const secret = await page.locator('[data-secret]').inputValue();
    assert.match(secret, /^scimd_cs_/);
    const row = page.getByRole('row').filter({ hasText: 'Entra ID' });
    await row.waitFor();
    const clientId = await row.locator('th code').innerText();
    const res = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 200);
    const { access_token: accessToken } = (await res.json()) as { access_token: string };
    assert.equal((await scim('GET', '/Users', undefined, accessToken)).status, 200);
    await checkPage(page, 'oauth-clients');
  });

  it('the token works for an Entra-shaped create and PATCH, and the request log shows both, the password redacted', async () => {
    const created = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
      externalId: 'b3f0c1d2',
      userName: USER,
      active: true,
      password: PASSWORD,
      displayName: 'Adele Vance',
      emails: [{ primary: true, type: 'work', value: USER }],
      name: { formatted: 'Adele Vance', familyName: 'Vance', givenName: 'Adele' },
      [ENTERPRISE]: { department: 'Retail' },
    });
    assert.equal(created.status, 201);
    userId = created.body.id;
    const patched = await scim('PATCH', `/Users/${userId}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', value: { 'name.givenName': 'Adèle', [`${ENTERPRISE}:department`]: 'Sales' } },
      ],
    });
    assert.equal(patched.status, 200);
    assert.equal((await scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: USER })).status, 409);

    await page.getByRole('navigation', { name: 'Tenant contoso' }).getByRole('link', { name: 'Request log' }).click();
    await page.getByRole('link', { name: `PATCH /Users/${userId}` }).waitFor();
    await page.getByRole('link', { name: 'POST /Users' }).first().waitFor();
    await checkPage(page, 'request-log');
    await page.getByRole('row').filter({ hasText: 'POST /Users' }).filter({ hasText: '201' }).getByRole('link').click();
    await page.getByRole('heading', { name: 'Request body' }).waitFor();
    const text = await page.locator('main').innerText();
    assert.ok(text.includes('"password": "[redacted]"'), 'the password is shown redacted');
    assert.ok(!(await page.content()).includes(PASSWORD), 'the console never shows the password');
    await checkPage(page, 'request');
  });

  it('opens the failed request and explains its scimType', async () => {
    await page.getByRole('link', { name: 'Back to the request log' }).click();
    await page.getByLabel('Status').selectOption('error');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('row').filter({ hasText: '409' }).getByRole('link').click();
    await page.getByRole('heading', { name: 'What "uniqueness" means' }).waitFor();
    assert.match(await page.locator('.explanation').innerText(), /Usual cause with Microsoft Entra ID/);
    await checkPage(page, 'request-error');
  });

  it('finds a /Bulk request by the id of a user one of its operations changed, and lists each operation', async () => {
    const bulk = await scim('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        {
          method: 'POST',
          path: '/Users',
          bulkId: 'm',
          data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'megan.bowen@contoso.example' },
        },
        { method: 'PATCH', path: `/Users/${userId}`, data: { Operations: [{ op: 'Replace', path: 'title', value: 'Retail Manager' }] } },
      ],
    });
    assert.equal(bulk.status, 200);
    await page.getByRole('navigation', { name: 'Tenant contoso' }).getByRole('link', { name: 'Request log' }).click();
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Resource id').fill(userId);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByRole('link', { name: 'POST /Bulk' }).click();
    await page.getByRole('heading', { name: 'Operations' }).waitFor();
    const rows = await page.getByRole('table').filter({ hasText: 'Resource' }).getByRole('row').allInnerTexts();
    assert.equal(rows.length, 3, rows.join(' | '));
    assert.match(rows[1]!, /POST\s+\/Users\s+201\s+[0-9a-f-]{36}/);
    assert.match(rows[2]!, new RegExp(`PATCH\\s+/Users/${userId}\\s+200\\s+${userId}`));
    await checkPage(page, 'request-bulk');
  });

  it('adds a custom attribute, which /Schemas lists at once', async () => {
    await page.getByRole('navigation', { name: 'Tenant contoso' }).getByRole('link', { name: 'Custom attributes' }).click();
    await page.getByLabel('Attribute name').fill('costCenter');
    await page.getByLabel('Canonical values (comma-separated)').fill('cc-100, cc-200');
    await page.getByRole('button', { name: 'Add attribute' }).click();
    await page.getByRole('rowheader', { name: 'costCenter' }).waitFor();
    await checkPage(page, 'custom-attributes');
    const schemas = await scim('GET', '/Schemas');
    const extension = schemas.body.Resources.find(
      (s: { id: string }) => s.id === 'urn:ietf:params:scim:schemas:extension:contoso:2.0:User',
    );
    assert.deepEqual(
      extension.attributes.map((a: { name: string; canonicalValues?: string[] }) => [a.name, a.canonicalValues]),
      [['costCenter', ['cc-100', 'cc-200']]],
    );
  });

  it("shows the tenant's SCIM API from its OpenAPI document, the custom attribute included (docs/operations.md)", async () => {
    await page.getByRole('navigation', { name: 'Tenant contoso' }).getByRole('link', { name: 'SCIM API' }).click();
    await page.getByRole('heading', { name: 'SCIM API of contoso' }).waitFor();
    const operation = page.getByRole('row').filter({ has: page.getByRole('cell', { name: 'PATCH', exact: true }) });
    await operation.filter({ hasText: '/Users/{id}' }).first().waitFor();
    await page.getByRole('heading', { name: 'User', exact: true }).waitFor();
    await page.getByRole('cell', { name: 'urn:ietf:params:scim:schemas:extension:contoso:2.0:User' }).first().waitFor();
    await checkPage(page, 'scim-api');
  });

  it("browses users with a SCIM filter, and a user's direct and indirect groups", async () => {
    const team = await scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Retail team',
      members: [{ value: userId }],
    });
    await scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'All staff',
      members: [{ value: team.body.id }],
    });
    await page.getByRole('navigation', { name: 'Tenant contoso' }).getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('SCIM filter').fill(`userName eq "${USER}"`);
    await page.getByRole('button', { name: 'Filter' }).click();
    await checkPage(page, 'users');
    await page.getByRole('link', { name: USER }).click();
    const groups = page.locator('ul.related');
    await groups.getByText('Retail team').waitFor();
    assert.match(await groups.innerText(), /Retail team\s+direct/);
    assert.match(await groups.innerText(), /All staff\s+indirect/);
    assert.match(await page.locator('pre.json').innerText(), /"userName": "adele\.vance@contoso\.example"/);
    await checkPage(page, 'user');
    await page.getByRole('link', { name: 'All staff' }).click();
    await page.getByRole('heading', { name: 'All staff' }).waitFor();
    await page.getByRole('navigation', { name: 'Tenant contoso' }).getByRole('link', { name: 'Groups' }).click();
    await page.getByRole('link', { name: 'Retail team' }).waitFor();
    await checkPage(page, 'groups');
  });

  it('rotates a token with an overlap and revokes the successor', async () => {
    await page.getByRole('navigation', { name: 'Tenant contoso' }).getByRole('link', { name: 'Tokens' }).click();
    const oldId = (await page.getByRole('row').filter({ hasText: 'entra' }).getByRole('rowheader').innerText()).trim();
    await page.getByRole('button', { name: `Rotate ${oldId}` }).click();
    const successor = await page.locator('[data-secret]').inputValue();
    assert.notEqual(successor, scimToken);
    assert.equal((await scim('GET', '/Users', undefined, successor)).status, 200);
    assert.equal((await scim('GET', '/Users', undefined, scimToken)).status, 200, 'the old token works during the overlap');
    const newId = (await page.getByRole('status').innerText()).match(/tok_[0-9a-f]+/g)!.find((id) => id !== oldId)!;
    await page.getByRole('button', { name: `Revoke ${newId}` }).click();
    await page.getByRole('row').filter({ hasText: newId }).filter({ hasText: 'revoked' }).waitFor();
    assert.equal((await scim('GET', '/Users', undefined, successor)).status, 401);
  });

  it("a customer's setup link sees its tenant's setup guide, tokens, request log, users and SCIM API, and nothing of another tenant", async () => {
    await page.getByLabel('Valid for').fill('2h');
    await page.getByRole('button', { name: 'Create setup link' }).click();
    const link = await page.getByLabel('Setup link (shown only this once)').inputValue();
    assert.match(link, /\/console\/#setup=/);
    await checkPage(page, 'setup-links');

    const customer = await browser.newContext();
    const p = await customer.newPage();
    await p.goto(link);
    await p.getByRole('heading', { name: 'Setup guide for contoso' }).waitFor();
    // The heading comes before the guide has loaded: wait for the SCIM URL itself.
    await p
      .getByText(/http:\/\/127\.0\.0\.1:\d+\/scim\/v2/)
      .first()
      .waitFor();
    await checkPage(p, 'setup-guide');
    const nav = p.getByRole('navigation', { name: 'Tenant contoso' });
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), [
      'Setup guide',
      'Tokens',
      'OAuth clients',
      'Users',
      'Request log',
      'SCIM API',
    ]);
    assert.equal(await p.getByRole('link', { name: 'Tenants' }).count(), 0);
    await nav.getByRole('link', { name: 'Request log' }).click();
    await p.getByRole('link', { name: 'POST /Users' }).first().waitFor();

    await p.goto(`${base}/console/tenants/fabrikam/tokens`);
    await p.getByRole('alert').waitFor();
    assert.ok(!(await p.locator('main').innerText()).includes('fabrikam'), 'nothing of fabrikam is shown');
    const statuses = await p.evaluate(async () =>
      Promise.all(
        ['/admin/tenants/fabrikam/tokens', '/admin/tenants', '/admin/tenants/contoso/overview', '/admin/audit'].map(
          async (u) => (await fetch(u)).status,
        ),
      ),
    );
    assert.deepEqual(statuses, [403, 403, 403, 403]);
    await customer.close();
  });

  it('refuses a cross-site style request without the CSRF token, and signs out', async () => {
    const forged = await page.evaluate(async () => {
      const res = await fetch('/admin/tenants', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'forged' }),
      });
      return res.status;
    });
    assert.equal(forged, 403);
    assert.equal(
      (await server.tenants.listTenants()).some((t) => t.name === 'forged'),
      false,
    );
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await checkPage(page, 'audit');
    await page.getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('rowheader', { name: 'contoso' }).waitFor();
    await checkPage(page, 'tenants');
    await page.goto(`${base}/console/tenants/contoso/events`);
    await page.getByRole('heading', { name: 'Events of contoso' }).waitFor();
    await checkPage(page, 'events');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    assert.equal(await page.evaluate(async () => (await fetch('/admin/tenants')).status), 401);
    assert.ok(labelledEverywhere.length >= 12, `pages checked: ${labelledEverywhere.join(', ')}`);
  });
});
