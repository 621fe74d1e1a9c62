import assert from 'node:assert/strict';
import { connect, createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { createServer, type Server } from '../../src/server.ts';
import { createTestDatabase, postgresTestOptions, type Scratch } from '../../src/store/postgres/testing.ts';
import { userBody } from '../helpers/harness.ts';

const options = await postgresTestOptions();

/** A TCP proxy in front of PostgreSQL that the test can cut and restore, as an outage would. */
class TcpProxy {
  #server: TcpServer | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;
  constructor(readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.#server = createTcpServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.#server = undefined;
  }
}

describe('PostgreSQL outage through HTTP: 503 with a SCIM body and Retry-After, then recovery without a restart', options, () => {
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
});
