import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createConnection, createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.ts';
import { sequenceOf } from '../../src/events/cloud-event.ts';
import { assertValidEvent } from '../../src/events/testing/schema.ts';
import { createServer, type Server } from '../../src/server.ts';
import { BIN, freePort, startServe, tempDatabaseUrl } from '../cli/process.ts';
import { userBody } from '../helpers/harness.ts';
import { AMQP, amqpConsumer, bounded, brokerSkip, suffix, until } from './brokers.ts';

/** A TCP forwarder to RabbitMQ that can be closed (port refuses) and reopened on the same port. */
function proxy(port: number) {
  let server: TcpServer | undefined;
  const sockets = new Set<Socket>();
  return {
    open: () =>
      new Promise<void>((resolve) => {
        server = createTcpServer((client) => {
          const upstream = createConnection({ host: '127.0.0.1', port: 5672 });
          sockets.add(client).add(upstream);
          client.pipe(upstream).pipe(client);
          const drop = () => {
            client.destroy();
            upstream.destroy();
          };
          client.on('error', drop).on('close', drop);
          upstream.on('error', drop).on('close', drop);
        });
        server.listen(port, '127.0.0.1', resolve);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        if (!server) return resolve();
        server.close(() => resolve());
      }),
  };
}

describe('outages and crashes (RabbitMQ)', async () => {
  const opts = await brokerSkip('RabbitMQ', 5672);

  describe('a sink unreachable while 1,000 changes are made', () => {
    const exchange = `scim.outage.${suffix()}`;
    let server: Server;
    let consumer: Awaited<ReturnType<typeof amqpConsumer>>;
    let port: number;
    before(async () => {
      if (opts.skip) return;
      consumer = await amqpConsumer(exchange);
      // Closed now, opened by the proxy later: outside the ephemeral range (freePort), so no outgoing
      // connection takes it meanwhile.
      port = freePort();
      const config = loadConfig({
        SCIMD_DATABASE_URL: 'sqlite::memory:',
        SCIMD_PUBLIC_URL: 'https://scim.example.com',
        SCIMD_EVENT_SINKS: `amqp://guest:guest@127.0.0.1:${port}/?exchange=${exchange}`,
      });
      server = await createServer(config, { relay: { backoffBaseMs: 20, backoffMaxMs: 300 } });
      await server.tenants.createTenant('acme');
    });
    after(async () => {
      await server?.close();
      await bounded(() => consumer?.close() ?? Promise.resolve());
    });

    it('all 1,000 arrive after it returns, in order, none lost', opts, async () => {
      const tenant = (await server.store.findTenantByName('acme'))!;
      const token = (await server.tenants.mintToken('acme')).token;
      for (let i = 0; i < 1000; i++) {
        const r = await server.app.inject({
          method: 'POST',
          url: '/scim/v2/Users',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
          payload: JSON.stringify(userBody(`out${i}@example.com`)),
        });
        assert.equal(r.statusCode, 201);
      }
      assert.ok(server.relay!.states[0]!.failures > 0, 'the relay tried and failed while the port was closed');
      assert.equal((await server.store.outboxStats(server.relay!.sinkNames)).sinks[0]!.pending, 1000);
      assert.equal(consumer.received.length, 0);
      const forward = proxy(port);
      await forward.open();
      try {
        await until(() => consumer.received.length >= 1000, 20_000, '1,000 events');
      } finally {
        await server.relay!.stop();
        await forward.close();
      }
      const seqs = consumer.received.map((e) => sequenceOf(e));
      assert.deepEqual(
        seqs,
        Array.from({ length: 1000 }, (_, i) => i + 1),
      );
      consumer.received.forEach(assertValidEvent);
      assert.ok(consumer.received.every((e) => e.tenant === tenant.name));
    });
  });

  describe('SIGKILL in the middle of a stream of writes, then restart', () => {
    const exchange = `scim.crash.${suffix()}`;
    let consumer: Awaited<ReturnType<typeof amqpConsumer>>;
    before(async () => {
      if (!opts.skip) consumer = await amqpConsumer(exchange);
    });
    after(async () => bounded(() => consumer?.close() ?? Promise.resolve()));

    it('every change the API acknowledged is on the broker; a duplicate carries the same id', opts, async () => {
      const token = `crash-token-${suffix()}-0123456789`;
      const env = {
        SCIMD_DATABASE_URL: tempDatabaseUrl(),
        SCIMD_BOOTSTRAP_TOKEN: token,
        SCIMD_EVENT_SINKS: `${AMQP}/?exchange=${exchange}`,
      };
      const served = await startServe(env, freePort());
      const acknowledged: string[] = [];
      let killed = false;
      const writer = (async () => {
        for (let i = 0; !killed; i++) {
          try {
            const r = await fetch(`${served.url}/Users`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
              body: JSON.stringify(userBody(`crash${i}@example.com`)),
            });
            if (r.status === 201) acknowledged.push(((await r.json()) as { id: string }).id);
          } catch {
            return;
          }
        }
      })();
      await until(() => acknowledged.length >= 150, 15_000, '150 acknowledged writes');
      const closed = new Promise((r) => served.child.once('close', r));
      served.child.kill('SIGKILL');
      killed = true;
      await writer;
      await closed;

      // Restart as the standalone relay: it delivers what the killed process had not.
      const relay = spawn(process.execPath, [BIN, 'relay'], { env: { ...process.env, ...env } });
      try {
        const subjects = () => new Set(consumer.received.map((e) => e.subject));
        await until(() => acknowledged.every((id) => subjects().has(`Users/${id}`)), 20_000, 'every acknowledged change on the broker');
      } finally {
        relay.kill('SIGTERM');
        await new Promise((r) => relay.once('close', r));
      }
      const bySequence = new Map<number, string>();
      for (const e of consumer.received) {
        assertValidEvent(e);
        const seen = bySequence.get(sequenceOf(e));
        if (seen !== undefined) assert.equal(seen, e.id, `sequence ${e.sequence} redelivered with another id`);
        bySequence.set(sequenceOf(e), e.id);
      }
      const max = Math.max(...bySequence.keys());
      for (let s = 1; s <= max; s++) assert.ok(bySequence.has(s), `sequence ${s} missing`);
    });
  });
});

// If a handle outlives the tests, name it (the timer itself does not keep the process alive).
after(() => {
  setTimeout(() => console.error('outage.int.test.ts still running; active resources:', process.getActiveResourcesInfo()), 10_000).unref();
});
