import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.ts';
import { createServer, type Server } from '../../src/server.ts';
import { createTestDatabase, postgresTestOptions, type Scratch } from '../../src/store/postgres/testing.ts';
import { after, before, describe, it, skipping } from '../../src/store/testing/skippable.ts';
import { userBody } from '../helpers/harness.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';

const options = await postgresTestOptions();

skipping(options.skip, () =>
  describe('PostgreSQL outage through HTTP: 503 with a SCIM body and Retry-After, then recovery without a restart', () => {
    let scratch: Scratch;
    let proxy: TcpProxy;
    let server: Server;
    let token: string;

    before(async () => {
      scratch = await createTestDatabase();
      const direct = new URL(scratch.url);
      proxy = new TcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
      await proxy.start();
      const viaProxy = new URL(scratch.url);
      viaProxy.port = String(proxy.port);
      viaProxy.searchParams.set('connect_timeout', '1');
      server = await createServer(loadConfig({ SCIMD_DATABASE_URL: viaProxy.toString(), SCIMD_PUBLIC_URL: 'https://scim.example.com' }));
      await server.tenants.createTenant('acme');
      token = (await server.tenants.mintToken('acme')).token;
    });
    after(async () => {
      await server?.close();
      await proxy?.stop();
      await scratch?.drop();
    });

    const request = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      server.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });

    it('serves, fails fast with 503 while the database is gone, and serves again when it is back', async () => {
      const base = '/scim/v2';
      assert.equal((await request('POST', `${base}/Users`, userBody('before@example.com'))).statusCode, 201);
      assert.equal((await request('GET', '/readyz')).statusCode, 200);

      await proxy.stop();
      const started = Date.now();
      for (const res of [
        await request('GET', `${base}/Users?filter=userName eq "before@example.com"`),
        await request('POST', `${base}/Users`, userBody('during@example.com')),
      ]) {
        assert.equal(res.statusCode, 503, res.body);
        assert.equal(res.headers['retry-after'], '5');
        const body = JSON.parse(res.body);
        assert.deepEqual(body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
        assert.equal(body.status, '503');
      }
      const ready = await request('GET', '/readyz');
      assert.equal(ready.statusCode, 503);
      assert.ok(Date.now() - started < 10_000, 'an outage never hangs a request');

      await proxy.start();
      assert.equal((await request('GET', '/readyz')).statusCode, 200);
      const list = await request('GET', `${base}/Users?filter=userName eq "before@example.com"`);
      assert.equal(list.statusCode, 200, list.body);
      assert.equal(JSON.parse(list.body).totalResults, 1);
      assert.equal((await request('POST', `${base}/Users`, userBody('after@example.com'))).statusCode, 201);
    });
  }),
);
