import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type CloudEvent, sequenceOf } from '../../src/events/cloud-event.ts';
import type { SinkStatus } from '../../src/events/sink-status.ts';
import { assertCloudEvents, fromHttp } from '../../src/events/testing/cloudevents.ts';
import { assertValidEvent } from '../../src/events/testing/schema.ts';
import { groupBody, type Harness, startHarness, userBody } from '../helpers/harness.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';
import { AMQP, bounded, brokerSkip, checked, suffix, until } from './brokers.ts';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ADMIN = 'sinks-admin-token-0123456789';

/** A consumer on the real broker: started before the writes, collecting what arrives. */
interface Consumer {
  readonly received: CloudEvent[];
  /** Assertions that failed in the broker's callbacks (`checked`), thrown by the waits. */
  readonly failures: unknown[];
  close(): Promise<void>;
}

/** Relay tuning for the tests: quick retries, small batches (a cut then lands between and inside them). */
const RELAY = { backoffBaseMs: 50, backoffMaxMs: 400, batchSize: 5, pollMs: 50 };

/** The same scenario through each sink: every kind of change, exactly the expected events in order. */
async function scenario(h: Harness, consumer: Consumer): Promise<void> {
  const u = await h.request('POST', '/Users', { body: userBody(`s-${suffix()}@example.com`) });
  assert.equal(u.status, 201);
  assert.equal(
    (
      await h.request('PATCH', `/Users/${u.body.id}`, {
        body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] },
      })
    ).status,
    200,
  );
  const g = await h.request('POST', '/Groups', { body: groupBody(`g-${suffix()}`, [u.body.id]) });
  assert.equal(g.status, 201);
  assert.equal(
    (await h.request('PATCH', `/Groups/${g.body.id}`, { body: { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members' }] } }))
      .status,
    204,
  );
  // Rejected and no-op writes: no events.
  assert.equal((await h.request('POST', '/Users', { body: userBody(u.body.userName) })).status, 409);
  assert.equal(
    (
      await h.request('PATCH', `/Users/${u.body.id}`, {
        body: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] },
      })
    ).status,
    200,
  );
  assert.equal((await h.request('DELETE', `/Groups/${g.body.id}`)).status, 204);
  assert.equal((await h.request('DELETE', `/Users/${u.body.id}`)).status, 204);
  const expected = [
    'scim.user.created',
    'scim.user.updated',
    'scim.group.created',
    'scim.group.members.added',
    'scim.group.members.removed',
    'scim.group.deleted',
    'scim.user.deleted',
  ];
  // At least once (docs/events.md): a publish that timed out on a loaded machine is retried with
  // the same id, so the broker may hold a duplicate; a consumer deduplicates by id, and so does this.
  const distinct = () => [...new Map(consumer.received.map((e) => [e.id, e])).values()];
  await until(() => distinct().length >= expected.length, 10_000, 'the events on the broker', consumer.failures);
  await new Promise((r) => setTimeout(r, 100));
  const got = distinct();
  got.forEach(assertValidEvent);
  assertCloudEvents(got);
  assert.deepEqual(
    got.map((e) => e.type),
    expected,
  );
  assert.deepEqual(
    got.map((e) => [e.dataschema, e.sequence]),
    [1, 2, 3, 4, 5, 6, 7].map((n) => ['urn:scimd:events:2', `0000000000000000000${n}`]),
  );
  assert.ok(got.every((e) => e.tenant === 'acme'));
  assert.deepEqual(consumer.failures, []);
}

const PER_TENANT = 24;
const TENANTS = ['acme', 'globex'] as const;

/** Per tenant, the sequences of the first delivery of each event id, in arrival order. */
function firstDeliveries(received: readonly CloudEvent[]): Map<string, number[]> {
  const seen = new Set<string>();
  const out = new Map<string, number[]>(TENANTS.map((t) => [t, []]));
  for (const e of received) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    out.get(e.tenant)?.push(sequenceOf(e));
  }
  return out;
}

/**
 * Two tenants write while the sink's connection goes through `proxy`; once events flow, every
 * connection through it is killed mid-stream and new ones are refused for a moment. Delivery
 * resumes by itself (a new connection through the proxy), and per tenant every event arrives,
 * first deliveries in sequence order; a redelivery (at least once) repeats an event whole.
 */
async function cutMidStream(h: Harness, consumer: Consumer, proxy: TcpProxy): Promise<void> {
  const write = async (token: string) => {
    for (let i = 0; i < PER_TENANT; i++) {
      const res = await h.request('POST', '/Users', { token, body: userBody(`cut${i}-${suffix()}@example.com`) });
      assert.equal(res.status, 201, res.raw);
      await new Promise((r) => setTimeout(r, 8));
    }
  };
  const writing = Promise.all([write(h.tokenA), write(h.tokenB)]);
  try {
    await until(() => consumer.received.length >= 6, 10_000, 'the first events', consumer.failures);
    const connections = proxy.accepted;
    await proxy.stop();
    await new Promise((r) => setTimeout(r, 250));
    await proxy.start();
    await writing;
    const complete = () => [...firstDeliveries(consumer.received).values()].every((s) => s.length >= PER_TENANT);
    await until(complete, 20_000, `${PER_TENANT} events per tenant after the cut`, consumer.failures);
    assert.ok(proxy.accepted > connections, 'the sink opened a new connection after the cut');
  } finally {
    // The writers end before the harness closes, whatever failed: never a write to a closed server.
    await writing.catch(() => undefined);
  }
  await new Promise((r) => setTimeout(r, 100));
  const expected = Array.from({ length: PER_TENANT }, (_, i) => i + 1);
  for (const [tenant, sequences] of firstDeliveries(consumer.received)) {
    assert.deepEqual(sequences, expected, `${tenant}: every event once, in sequence order`);
  }
  const byId = new Map<string, string>();
  for (const e of consumer.received) {
    assertValidEvent(e);
    const whole = JSON.stringify(e);
    assert.equal(byId.get(e.id) ?? whole, whole, `a redelivery of ${e.id} differs from its first delivery`);
    byId.set(e.id, whole);
  }
  assert.deepEqual(consumer.failures, []);
}

/** A proxy of the test's own in front of a broker on 127.0.0.1. */
async function proxyTo(port: number): Promise<TcpProxy> {
  const proxy = new TcpProxy({ host: '127.0.0.1', port });
  await proxy.start();
  return proxy;
}

describe('RabbitMQ sink (publisher confirms, topic exchange, <tenant>.<type>)', async () => {
  const opts = await brokerSkip('RabbitMQ', 5672);

  async function consumer(exchange: string, binding: string): Promise<Consumer> {
    const amqp = await import('amqplib');
    const conn = await amqp.connect(AMQP);
    const ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'topic', { durable: true });
    const q = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(q.queue, exchange, binding);
    const received: CloudEvent[] = [];
    const failures: unknown[] = [];
    await ch.consume(
      q.queue,
      checked(failures, (m) => {
        if (!m) return;
        const e = JSON.parse(m.content.toString()) as CloudEvent;
        received.push(e);
        assert.equal(m.properties.deliveryMode, 2, 'persistent');
        assert.equal(m.fields.routingKey, `${e.tenant}.${e.type}`);
        assert.equal(m.properties.messageId, e.id);
      }),
      { noAck: true },
    );
    return {
      received,
      failures,
      close: async () => {
        await bounded(() => ch.deleteExchange(exchange));
        await bounded(() => conn.close());
      },
    };
  }

  it('every kind of change arrives, in order, valid against the schema and the CloudEvents SDK', opts, async () => {
    const exchange = `scim.test.${suffix()}`;
    const c = await consumer(exchange, 'acme.#');
    const h = await startHarness({ SCIMD_EVENT_SINKS: `amqp://guest:guest@127.0.0.1:5672/?exchange=${exchange}` });
    try {
      await scenario(h, c);
    } finally {
      await h.close();
      await c.close();
    }
  });

  it('a connection cut mid-stream: delivery resumes by itself, nothing lost or reordered per tenant', opts, async () => {
    const exchange = `scim.test.${suffix()}`;
    const c = await consumer(exchange, '#');
    const proxy = await proxyTo(5672);
    const h = await startHarness(
      { SCIMD_EVENT_SINKS: `amqp://guest:guest@127.0.0.1:${proxy.port}/?exchange=${exchange}` },
      { server: { relay: RELAY } },
    );
    try {
      await cutMidStream(h, c, proxy);
    } finally {
      // Bounded: a sink that never gives up its publish holds the relay's stop forever.
      await bounded(() => h.close(), 5000);
      await proxy.stop();
      await c.close();
    }
  });

  /** What the admin API and /metrics say about the one sink of `h`. */
  async function sinkState(h: Harness) {
    const status = await h.server.app.inject({ method: 'GET', url: '/admin/event-sinks', headers: { authorization: `Bearer ${ADMIN}` } });
    const [sink] = (JSON.parse(status.body) as { sinks: SinkStatus[] }).sinks;
    const metrics = (await h.request('GET', '/metrics')).raw;
    const series = (name: string) => Number(new RegExp(`^${name}\\{sink="[^"]*"\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
    return {
      ...sink!.relay!,
      pending: sink!.pending,
      failing: series('scimd_event_sink_failing'),
      failuresTotal: series('scimd_event_delivery_failures_total'),
    };
  }

  it(
    'mandatory: an event no queue is bound for is returned, counted failed and retried until one is; other tenants go meanwhile',
    opts,
    async () => {
      const exchange = `scim.test.${suffix()}`;
      const acme = await consumer(exchange, 'acme.#');
      const h = await startHarness(
        { SCIMD_EVENT_SINKS: `amqp://guest:guest@127.0.0.1:5672/?exchange=${exchange}`, SCIMD_ADMIN_TOKEN: ADMIN },
        { server: { relay: RELAY } },
      );
      let globex: Consumer | undefined;
      try {
        const unbound = await h.request('POST', '/Users', { token: h.tokenB, body: userBody(`unbound-${suffix()}@example.com`) });
        assert.equal(unbound.status, 201);
        await until(async () => (await sinkState(h)).failures > 0, 10_000, 'the returned event counted as a failure');
        // The refused tenant holds up no one: acme's event goes while globex's keeps failing.
        const bound = await h.request('POST', '/Users', { body: userBody(`bound-${suffix()}@example.com`) });
        await until(() => acme.received.some((e) => e.subject === `Users/${bound.body.id}`), 10_000, "acme's event", acme.failures);
        // The consumer can hear acme's event before the relay has recorded its delivery (the
        // broker's confirm, then a commit): what is pending settles to globex's alone.
        await until(async () => (await sinkState(h)).pending === 1, 10_000, "acme's event recorded as delivered");
        const failing = await sinkState(h);
        assert.match(
          failing.lastError ?? '',
          new RegExp(
            `^RabbitMQ returned 1 of 1 events: no queue is bound to exchange "${exchange.replaceAll('.', '\\.')}" for routing key "globex\\.scim\\.user\\.created"$`,
          ),
        );
        assert.ok(failing.consecutiveFailures > 0);
        assert.equal(failing.pending, 1, "globex's event is still undelivered");
        assert.equal(failing.failing, 1);
        assert.ok(failing.failuresTotal > 0);
        assert.ok(!acme.received.some((e) => e.tenant === 'globex'));

        // A queue bound for globex: the retry delivers the event, and the sink is healthy again.
        globex = await consumer(exchange, 'globex.#');
        await until(
          () => globex!.received.some((e) => e.subject === `Users/${unbound.body.id}`),
          10_000,
          "globex's event",
          globex.failures,
        );
        await until(async () => (await sinkState(h)).failing === 0, 5_000, 'the sink healthy again');
        assert.equal((await sinkState(h)).pending, 0);
      } finally {
        await h.close();
        await globex?.close();
        await acme.close();
      }
    },
  );

  it(
    'a frozen connection (a proxy that stops forwarding): failing within SCIMD_EVENT_PUBLISH_TIMEOUT_MS, delivered once the link returns',
    opts,
    async (t) => {
      const exchange = `scim.test.${suffix()}`;
      const c = await consumer(exchange, '#');
      const proxy = await proxyTo(5672);
      const h = await startHarness(
        {
          SCIMD_EVENT_SINKS: `amqp://guest:guest@127.0.0.1:${proxy.port}/?exchange=${exchange}`,
          SCIMD_EVENT_PUBLISH_TIMEOUT_MS: '1000',
          SCIMD_ADMIN_TOKEN: ADMIN,
        },
        { server: { relay: RELAY } },
      );
      try {
        const first = await h.request('POST', '/Users', { body: userBody(`before-${suffix()}@example.com`) });
        await until(() => c.received.some((e) => e.subject === `Users/${first.body.id}`), 10_000, 'an event before the freeze', c.failures);
        proxy.stall();
        const frozenAt = Date.now();
        const during = await h.request('POST', '/Users', { body: userBody(`during-${suffix()}@example.com`) });
        assert.equal(during.status, 201);
        await until(async () => (await sinkState(h)).failing === 1, 5_000, 'the sink reported failing');
        const detectedMs = Date.now() - frozenAt;
        t.diagnostic(`frozen link reported failing after ${detectedMs} ms (SCIMD_EVENT_PUBLISH_TIMEOUT_MS=1000)`);
        // The bound, plus the relay's wake delay and a loaded machine's slack; never the 60 s heartbeat.
        assert.ok(detectedMs < 3000, `${detectedMs} ms`);
        const state = await sinkState(h);
        assert.match(state.lastError ?? '', /^the sink did not confirm within 1000 ms \(a stalled connection\)$/);
        assert.equal(state.pending, 1);
        assert.ok(state.failuresTotal > 0);

        proxy.resume();
        await until(
          () => c.received.some((e) => e.subject === `Users/${during.body.id}`),
          15_000,
          'the event after the link returns',
          c.failures,
        );
        await until(async () => (await sinkState(h)).failing === 0, 5_000, 'the sink healthy again');
      } finally {
        await bounded(() => h.close(), 5000);
        await proxy.stop();
        await c.close();
      }
    },
  );
});

describe('NATS JetStream sink (stream created, Nats-Msg-Id dedupe, acks)', async () => {
  const opts = await brokerSkip('NATS', 4222);

  async function consumer(stream: string, prefix: string): Promise<Consumer> {
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: '127.0.0.1:4222' });
    const received: CloudEvent[] = [];
    const failures: unknown[] = [];
    const sub = nc.subscribe(`${prefix}.>`, {
      callback: checked(failures, (error, m) => {
        assert.equal(error, null);
        const e = JSON.parse(new TextDecoder().decode(m.data)) as CloudEvent;
        received.push(e);
        assert.equal(m.subject, `${prefix}.${e.tenant}.${e.type}`);
        assert.equal(m.headers?.get('Nats-Msg-Id'), e.id);
      }),
    });
    return {
      received,
      failures,
      close: async () => {
        sub.unsubscribe();
        const { jetstreamManager } = await import('@nats-io/jetstream');
        await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
        await nc.close();
      },
    };
  }

  it(
    'every kind of change arrives, in order, valid against the schema; a redelivered event (same id) is dropped by the stream',
    opts,
    async () => {
      const stream = `SCIM_TEST_${suffix()}`;
      const prefix = `scimtest${suffix()}`;
      const c = await consumer(stream, prefix);
      const h = await startHarness({ SCIMD_EVENT_SINKS: `nats://127.0.0.1:4222?stream=${stream}&prefix=${prefix}` });
      try {
        await scenario(h, c);
        const { natsSink } = await import('../../src/events/sinks/nats.ts');
        const sink = natsSink(new URL(`nats://127.0.0.1:4222?stream=${stream}&prefix=${prefix}`));
        const { connect } = await import('@nats-io/transport-node');
        const { jetstreamManager } = await import('@nats-io/jetstream');
        const nc = await connect({ servers: '127.0.0.1:4222' });
        try {
          const jsm = await jetstreamManager(nc);
          assert.equal((await jsm.streams.info(stream)).state.messages, 7);
          await sink.publish([c.received[0]!]);
          assert.equal((await jsm.streams.info(stream)).state.messages, 7);
        } finally {
          await sink.close();
          await nc.close();
        }
      } finally {
        await h.close();
        await c.close();
      }
    },
  );

  it('a connection cut mid-stream: delivery resumes by itself, nothing lost or reordered per tenant', opts, async () => {
    const stream = `SCIM_TEST_${suffix()}`;
    const prefix = `scimtest${suffix()}`;
    const c = await consumer(stream, prefix);
    const proxy = await proxyTo(4222);
    const h = await startHarness(
      { SCIMD_EVENT_SINKS: `nats://127.0.0.1:${proxy.port}?stream=${stream}&prefix=${prefix}` },
      { server: { relay: RELAY } },
    );
    try {
      await cutMidStream(h, c, proxy);
    } finally {
      // Bounded: a sink that never gives up its publish holds the relay's stop forever.
      await bounded(() => h.close(), 5000);
      await proxy.stop();
      await c.close();
    }
  });
});

describe('Redis Streams sink (XADD, approximate MAXLEN)', async () => {
  const opts = await brokerSkip('Redis', 6379);

  async function consumer(stream: string): Promise<Consumer> {
    const { Redis } = await import('ioredis');
    const client = new Redis('redis://127.0.0.1:6379');
    const received: CloudEvent[] = [];
    const failures: unknown[] = [];
    let last = '0';
    const read = checked(failures, (entries: [string, string[]][]) => {
      for (const [id, fields] of entries) {
        last = id;
        const f: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
        const e = JSON.parse(f['event']!) as CloudEvent;
        received.push(e);
        assert.deepEqual(
          [f['id'], f['tenant'], f['sequence'], f['type']],
          [e.id, e.tenant, String(e.sequence), e.type],
          'the fields beside the event',
        );
      }
    });
    const timer = setInterval(async () => read(await client.xrange(stream, `(${last}`, '+').catch(() => [])), 50);
    return {
      received,
      failures,
      close: async () => {
        clearInterval(timer);
        await client.del(stream);
        client.disconnect();
      },
    };
  }

  it('every kind of change arrives, in order, valid against the schema and the CloudEvents SDK', opts, async () => {
    const stream = `scim.test.${suffix()}`;
    const c = await consumer(stream);
    const h = await startHarness({ SCIMD_EVENT_SINKS: `redis://127.0.0.1:6379?stream=${stream}&maxlen=1000` });
    try {
      await scenario(h, c);
    } finally {
      await h.close();
      await c.close();
    }
  });

  it('?maxlen= trims the stream: Redis counts every entry added, and keeps far fewer', opts, async () => {
    const stream = `scim.test.${suffix()}`;
    const { redisSink } = await import('../../src/events/sinks/redis.ts');
    const sink = redisSink(new URL(`redis://127.0.0.1:6379?stream=${stream}&maxlen=10`));
    const { Redis } = await import('ioredis');
    const client = new Redis('redis://127.0.0.1:6379');
    try {
      const events = Array.from(
        { length: 250 },
        (_, i) => ({ id: `e${i}`, tenant: 'acme', sequence: i + 1, type: 'scim.user.created' }) as unknown as CloudEvent,
      );
      for (let i = 0; i < events.length; i += 50) await sink.publish(events.slice(i, i + 50));
      const info = (await client.call('XINFO', 'STREAM', stream)) as unknown[];
      const field = (name: string) => info[info.indexOf(name) + 1];
      assert.equal(field('entries-added'), 250);
      // MAXLEN ~ 10 trims whole nodes of 100 entries (stream-node-max-entries): at most 110 stay.
      assert.ok(Number(field('length')) <= 110, `entries kept: ${field('length')}`);
    } finally {
      await sink.close();
      await client.del(stream);
      client.disconnect();
    }
  });

  it('a connection cut mid-stream: delivery resumes by itself, nothing lost or reordered per tenant', opts, async () => {
    const stream = `scim.test.${suffix()}`;
    const c = await consumer(stream);
    const proxy = await proxyTo(6379);
    const h = await startHarness({ SCIMD_EVENT_SINKS: `redis://127.0.0.1:${proxy.port}?stream=${stream}` }, { server: { relay: RELAY } });
    try {
      await cutMidStream(h, c, proxy);
    } finally {
      // Bounded: a sink that never gives up its publish holds the relay's stop forever.
      await bounded(() => h.close(), 5000);
      await proxy.stop();
      await c.close();
    }
  });
});

describe('MQTT sink (QoS 1, scim/<tenant>/<type>)', async () => {
  const opts = await brokerSkip('Mosquitto', 1883);

  async function consumer(prefix: string): Promise<Consumer> {
    const mqtt = await import('mqtt');
    const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883');
    const received: CloudEvent[] = [];
    const failures: unknown[] = [];
    client.on(
      'message',
      checked(failures, (topic, payload, packet) => {
        const e = JSON.parse(payload.toString()) as CloudEvent;
        received.push(e);
        assert.equal(topic, `${prefix}/${e.tenant}/${e.type}`);
        // The broker delivers at the lower of the publish's and the subscription's QoS (MQTT
        // 3.1.1 §3.8.4): with this QoS 1 subscription, 1 means the sink published at QoS 1.
        assert.equal(packet.qos, 1, `${e.id} delivered at QoS ${packet.qos}`);
      }),
    );
    await client.subscribeAsync(`${prefix}/#`, { qos: 1 });
    return { received, failures, close: async () => void (await client.endAsync()) };
  }

  it('every kind of change arrives at QoS 1, in order, valid against the schema and the CloudEvents SDK', opts, async () => {
    const prefix = `scimtest-${suffix()}`;
    const c = await consumer(prefix);
    const h = await startHarness({ SCIMD_EVENT_SINKS: `mqtt://127.0.0.1:1883?prefix=${prefix}` });
    try {
      await scenario(h, c);
    } finally {
      await h.close();
      await c.close();
    }
  });

  it('a connection cut mid-stream: delivery resumes by itself, nothing lost or reordered per tenant', opts, async () => {
    const prefix = `scimtest-${suffix()}`;
    const c = await consumer(prefix);
    const proxy = await proxyTo(1883);
    const h = await startHarness({ SCIMD_EVENT_SINKS: `mqtt://127.0.0.1:${proxy.port}?prefix=${prefix}` }, { server: { relay: RELAY } });
    try {
      await cutMidStream(h, c, proxy);
    } finally {
      // Bounded: a sink that never gives up its publish holds the relay's stop forever.
      await bounded(() => h.close(), 5000);
      await proxy.stop();
      await c.close();
    }
  });
});

describe('webhook sink (HMAC-SHA256 over timestamp and body, 2xx = delivered)', () => {
  const secret = `s3cret-${suffix()}`;

  /**
   * A receiver that verifies as docs/events.md tells one to: `scimd-signature: t=<unix
   * seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`, recomputed here.
   */
  async function receiver(failNext = 0) {
    const received: CloudEvent[] = [];
    const failures: unknown[] = [];
    let refuse = failNext;
    const server = createHttpServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      const verify = checked(failures, () => {
        const header = String(req.headers['scimd-signature']);
        const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
        assert.ok(match, `signature header ${header}`);
        const mac = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
        assert.ok(timingSafeEqual(mac, Buffer.from(match[2]!, 'hex')), `signature ${header} is not HMAC-SHA256 of "<t>.<body>"`);
        assert.ok(Math.abs(Date.now() / 1000 - Number(match[1])) < 60, `timestamp ${match[1]}`);
        assert.equal(req.headers['content-type'], 'application/cloudevents+json');
      });
      req.on('end', () => {
        const failed = failures.length;
        verify();
        if (failures.length > failed) {
          res.writeHead(400).end();
          return;
        }
        if (refuse > 0) {
          refuse--;
          res.writeHead(503).end();
          return;
        }
        // Read as a CloudEvents SDK receiver reads it: the HTTP binding, structured mode.
        received.push(fromHttp(req.headers, body) as unknown as CloudEvent);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const consumer: Consumer = {
      received,
      failures,
      close: async () => {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      },
    };
    return { consumer, port: (server.address() as AddressInfo).port };
  }

  it('every kind of change arrives signed, in order, valid against the schema and the CloudEvents SDK (after two 503s)', async () => {
    const { consumer, port } = await receiver(2);
    const h = await startHarness({ SCIMD_EVENT_SINKS: `http://127.0.0.1:${port}/hook#secret=${secret}` });
    try {
      await scenario(h, consumer);
    } finally {
      await h.close();
      await consumer.close();
    }
  });

  it('a connection cut mid-stream: delivery resumes by itself, nothing lost or reordered per tenant', async () => {
    const { consumer, port } = await receiver();
    const proxy = await proxyTo(port);
    const h = await startHarness(
      { SCIMD_EVENT_SINKS: `http://127.0.0.1:${proxy.port}/hook#secret=${secret}` },
      { server: { relay: RELAY } },
    );
    try {
      await cutMidStream(h, consumer, proxy);
    } finally {
      await bounded(() => h.close(), 5000);
      await proxy.stop();
      await consumer.close();
    }
  });
});

describe('the built-in feed (GET /Events): the same envelope', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());
  it('every kind of change is a page of events valid against the schema and the CloudEvents SDK', async () => {
    const consumer: Consumer = { received: [], failures: [], close: async () => undefined };
    const scenarioDone = scenario(h, consumer);
    // The feed is read, not pushed: page it while the scenario waits for its events.
    const reader = (async () => {
      let after = 0;
      for (let i = 0; i < 500 && consumer.received.length < 7; i++) {
        const page = await h.request('GET', `/Events?after=${after}`);
        consumer.received.push(...(page.body.events as CloudEvent[]));
        after = page.body.lastSequence;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await Promise.all([scenarioDone, reader]);
  });
});

describe('SCIMD_EVENT_CONTRACT=1: contract 1 for consumers not yet migrated', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ SCIMD_EVENT_CONTRACT: '1' });
  });
  after(async () => h?.close());
  it('publishes urn:scimd:events:1 with an integer sequence, which the sequence extension refuses', async () => {
    assert.equal((await h.request('POST', '/Users', { body: userBody(`v1-${suffix()}@example.com`) })).status, 201);
    const [event] = (await h.request('GET', '/Events?after=0')).body.events as CloudEvent[];
    assert.equal(event!.dataschema, 'urn:scimd:events:1');
    assert.equal(event!.sequence, 1);
    assertValidEvent(event);
    assert.throws(() => assertCloudEvents([event]), /sequence extension: 1 is not a non-empty string/);
  });
});
