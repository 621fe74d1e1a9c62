import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { CloudEvent } from '../../src/events/cloud-event.ts';
import { SIGNATURE_HEADER, signature } from '../../src/events/sinks/webhook.ts';
import { assertValidEvent } from '../../src/events/testing/schema.ts';
import { groupBody, type Harness, startHarness, userBody } from '../helpers/harness.ts';
import { AMQP, bounded, brokerSkip, suffix, until } from './brokers.ts';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A consumer on the real broker: started before the writes, collecting what arrives. */
interface Consumer {
  readonly received: CloudEvent[];
  close(): Promise<void>;
}

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
    200,
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
  await until(() => consumer.received.length >= expected.length, 10_000, 'the events on the broker');
  await new Promise((r) => setTimeout(r, 100));
  const got = consumer.received;
  got.forEach(assertValidEvent);
  assert.deepEqual(
    got.map((e) => e.type),
    expected,
  );
  assert.deepEqual(
    got.map((e) => e.sequence),
    [1, 2, 3, 4, 5, 6, 7],
  );
  assert.ok(got.every((e) => e.tenant === 'acme'));
}

describe('RabbitMQ sink (publisher confirms, topic exchange, <tenant>.<type>)', async () => {
  const opts = await brokerSkip('RabbitMQ', 5672);
  const exchange = `scim.test.${suffix()}`;
  let h: Harness;
  let consumer: Consumer;
  before(async () => {
    if (opts.skip) return;
    const amqp = await import('amqplib');
    const conn = await amqp.connect(AMQP);
    const ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'topic', { durable: true });
    const q = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(q.queue, exchange, 'acme.#');
    const received: CloudEvent[] = [];
    const keys: string[] = [];
    await ch.consume(
      q.queue,
      (m) => {
        if (!m) return;
        assert.equal(m.properties.deliveryMode, 2, 'persistent');
        const e = JSON.parse(m.content.toString()) as CloudEvent;
        keys.push(m.fields.routingKey);
        assert.equal(m.fields.routingKey, `${e.tenant}.${e.type}`);
        assert.equal(m.properties.messageId, e.id);
        received.push(e);
      },
      { noAck: true },
    );
    consumer = {
      received,
      close: async () => {
        await ch.deleteExchange(exchange);
        await conn.close();
      },
    };
    h = await startHarness({ SCIMD_EVENT_SINKS: `amqp://guest:guest@127.0.0.1:5672/?exchange=${exchange}` });
  });
  after(async () => {
    await h?.close();
    await bounded(() => consumer?.close() ?? Promise.resolve());
  });
  it('every kind of change arrives, in order, valid against the schema', opts, async () => scenario(h, consumer));
});

describe('NATS JetStream sink (stream created, Nats-Msg-Id dedupe, acks)', async () => {
  const opts = await brokerSkip('NATS', 4222);
  const stream = `SCIM_TEST_${suffix()}`;
  const prefix = `scimtest${suffix()}`;
  let h: Harness;
  let consumer: Consumer;
  before(async () => {
    if (opts.skip) return;
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: '127.0.0.1:4222' });
    const received: CloudEvent[] = [];
    const sub = nc.subscribe(`${prefix}.>`);
    void (async () => {
      for await (const m of sub) {
        const e = JSON.parse(new TextDecoder().decode(m.data)) as CloudEvent;
        assert.equal(m.subject, `${prefix}.${e.tenant}.${e.type}`);
        assert.equal(m.headers?.get('Nats-Msg-Id'), e.id);
        received.push(e);
      }
    })();
    consumer = {
      received,
      close: async () => {
        const { jetstreamManager } = await import('@nats-io/jetstream');
        await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
        await nc.close();
      },
    };
    h = await startHarness({ SCIMD_EVENT_SINKS: `nats://127.0.0.1:4222?stream=${stream}&prefix=${prefix}` });
  });
  after(async () => {
    await h?.close();
    await bounded(() => consumer?.close() ?? Promise.resolve());
  });
  it('every kind of change arrives, in order, valid against the schema', opts, async () => scenario(h, consumer));
  it('a redelivered event (same id) is dropped by the stream', opts, async () => {
    const { natsSink } = await import('../../src/events/sinks/nats.ts');
    const sink = natsSink(new URL(`nats://127.0.0.1:4222?stream=${stream}&prefix=${prefix}`));
    const { connect } = await import('@nats-io/transport-node');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers: '127.0.0.1:4222' });
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info(stream)).state.messages;
    await sink.publish([consumer.received[0]!]);
    assert.equal((await jsm.streams.info(stream)).state.messages, before);
    await sink.close();
    await nc.close();
  });
});

describe('Redis Streams sink (XADD, approximate MAXLEN)', async () => {
  const opts = await brokerSkip('Redis', 6379);
  const stream = `scim.test.${suffix()}`;
  let h: Harness;
  let consumer: Consumer;
  before(async () => {
    if (opts.skip) return;
    const { Redis } = await import('ioredis');
    const client = new Redis('redis://127.0.0.1:6379');
    const received: CloudEvent[] = [];
    let last = '0';
    const timer = setInterval(async () => {
      const entries = await client.xrange(stream, `(${last}`, '+').catch(() => [] as [string, string[]][]);
      for (const [id, fields] of entries) {
        last = id;
        const f: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
        const e = JSON.parse(f['event']!) as CloudEvent;
        assert.equal(f['id'], e.id);
        received.push(e);
      }
    }, 50);
    consumer = {
      received,
      close: async () => {
        clearInterval(timer);
        await client.del(stream);
        client.disconnect();
      },
    };
    h = await startHarness({ SCIMD_EVENT_SINKS: `redis://127.0.0.1:6379?stream=${stream}&maxlen=1000` });
  });
  after(async () => {
    await h?.close();
    await bounded(() => consumer?.close() ?? Promise.resolve());
  });
  it('every kind of change arrives, in order, valid against the schema', opts, async () => scenario(h, consumer));
});

describe('MQTT sink (QoS 1, scim/<tenant>/<type>)', async () => {
  const opts = await brokerSkip('Mosquitto', 1883);
  const prefix = `scimtest-${suffix()}`;
  let h: Harness;
  let consumer: Consumer;
  before(async () => {
    if (opts.skip) return;
    const mqtt = await import('mqtt');
    const client = await mqtt.connectAsync('mqtt://127.0.0.1:1883');
    const received: CloudEvent[] = [];
    client.on('message', (topic, payload) => {
      const e = JSON.parse(payload.toString()) as CloudEvent;
      assert.equal(topic, `${prefix}/${e.tenant}/${e.type}`);
      received.push(e);
    });
    await client.subscribeAsync(`${prefix}/#`, { qos: 1 });
    consumer = { received, close: async () => void (await client.endAsync()) };
    h = await startHarness({ SCIMD_EVENT_SINKS: `mqtt://127.0.0.1:1883?prefix=${prefix}` });
  });
  after(async () => {
    await h?.close();
    await bounded(() => consumer?.close() ?? Promise.resolve());
  });
  it('every kind of change arrives, in order, valid against the schema', opts, async () => scenario(h, consumer));
});

describe('webhook sink (HMAC-SHA256 over timestamp and body, 2xx = delivered)', () => {
  const secret = `s3cret-${suffix()}`;
  let h: Harness;
  let consumer: Consumer;
  let failNext = 0;
  const server = createHttpServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const header = String(req.headers[SIGNATURE_HEADER]);
      const t = Number(/t=(\d+)/.exec(header)?.[1]);
      assert.equal(header, signature(secret, t, body));
      assert.ok(Math.abs(Date.now() / 1000 - t) < 60);
      assert.equal(req.headers['content-type'], 'application/cloudevents+json');
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end();
        return;
      }
      consumer.received.push(JSON.parse(body) as CloudEvent);
      res.writeHead(204).end();
    });
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    consumer = { received: [], close: async () => void server.close() };
    failNext = 2;
    h = await startHarness({ SCIMD_EVENT_SINKS: `http://127.0.0.1:${port}/hook#secret=${secret}` });
  });
  after(async () => {
    await h?.close();
    await consumer.close();
  });
  it('every kind of change arrives signed, in order, valid against the schema (after two 503s)', async () => scenario(h, consumer));
});
