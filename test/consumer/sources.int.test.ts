import { describe, it } from 'node:test';
import { Consumer, memoryTarget } from '../../consumer/index.ts';
import { freePort } from '../cli/process.ts';
import { bounded, brokerSkip, suffix, until } from '../events/brokers.ts';
import { type Harness, startHarness } from '../helpers/harness.ts';
import { assertCopyEquals, changes, listening } from './copy.ts';

/**
 * One sink URL, given to scimd (SCIMD_EVENT_SINKS) and to the consumer (its source): the consumer
 * follows the broker alone (no tail checks against the feed while the test runs), and its copy
 * ends equal to the API.
 */
async function follow(sink: string, cleanup: () => Promise<unknown> = async () => undefined): Promise<void> {
  let h: Harness | undefined;
  let consumer: Consumer | undefined;
  try {
    h = await startHarness({ SCIMD_EVENT_SINKS: sink }, { server: { relay: { pollMs: 20, backoffBaseMs: 20, backoffMaxMs: 200 } } });
    const url = await listening(h);
    const target = memoryTarget();
    consumer = new Consumer({
      scim: { url, token: h.tokenA },
      tenant: 'acme',
      target,
      source: sink,
      subscription: `scimd-consumer-test-${suffix()}`,
      checkEveryMs: 600_000,
    });
    await consumer.start();
    await changes(h, 'via-broker');
    const latest = (await h.request('GET', '/Events/position')).body.sequence as number;
    await until(() => consumer!.position === latest, 15_000, `the consumer at position ${latest}`);
    const get = async (path: string) => (await h!.request('GET', path)).body as Record<string, unknown>;
    await assertCopyEquals(get, await target.read('acme'));
  } finally {
    await bounded(() => consumer?.stop() ?? Promise.resolve());
    await bounded(() => h?.close() ?? Promise.resolve());
    await bounded(cleanup);
  }
}

describe('scimd/consumer follows every sink scimd publishes to', () => {
  it('RabbitMQ: a durable queue of its own, acknowledged after commit', async (t) => {
    const skip = await brokerSkip('RabbitMQ', 5672);
    if (skip.skip) return t.skip(skip.skip);
    const exchange = `scim.consumer.${suffix()}`;
    const queue = `scimd-consumer-test-${suffix()}`;
    await follow(`amqp://guest:guest@127.0.0.1:5672/?exchange=${exchange}&queue=${queue}`, async () => {
      const amqp = await import('amqplib');
      const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
      const ch = await conn.createChannel();
      await ch.deleteQueue(queue);
      await ch.deleteExchange(exchange);
      await conn.close();
    });
  });

  it('NATS JetStream: a durable pull consumer', async (t) => {
    const skip = await brokerSkip('NATS', 4222);
    if (skip.skip) return t.skip(skip.skip);
    const stream = `SCIM_CONSUMER_${suffix()}`;
    await follow(`nats://127.0.0.1:4222?stream=${stream}&prefix=scimc${suffix()}`, async () => {
      const { connect } = await import('@nats-io/transport-node');
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const nc = await connect({ servers: '127.0.0.1:4222' });
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
      await nc.close();
    });
  });

  it('Redis Streams: a consumer group', async (t) => {
    const skip = await brokerSkip('Redis', 6379);
    if (skip.skip) return t.skip(skip.skip);
    const stream = `scim.consumer.${suffix()}`;
    await follow(`redis://127.0.0.1:6379?stream=${stream}`, async () => {
      const { Redis } = await import('ioredis');
      const redis = new Redis('redis://127.0.0.1:6379');
      await redis.del(stream);
      redis.disconnect();
    });
  });

  it('MQTT: QoS 1 in a persistent session', async (t) => {
    const skip = await brokerSkip('Mosquitto', 1883);
    if (skip.skip) return t.skip(skip.skip);
    await follow(`mqtt://127.0.0.1:1883?prefix=scimc-${suffix()}`);
  });

  it('signed webhooks: the consumer is the receiver, and answers 2xx only after commit', async () => {
    const port = freePort();
    await follow(`http://127.0.0.1:${port}/scim-events#secret=s3cret-${suffix()}`);
  });
});
