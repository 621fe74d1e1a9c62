import type { CloudEvent } from '../cloud-event.ts';
import { encode, type Publisher, sinkName } from '../publisher.ts';
import { lazyConnection } from './lazy-connection.ts';

/**
 * NATS JetStream: the stream (`?stream=`, default `SCIM_EVENTS`, subjects `<prefix>.>`) is created
 * if absent; subject `<prefix>.<tenant>.<type>` (`?prefix=`, default `scim`); the event id is the
 * `Nats-Msg-Id`, so a redelivery inside the stream's duplicate window is dropped by the server;
 * `publish` resolves once every publish ack has arrived.
 */
export function natsSink(url: URL): Publisher {
  const stream = url.searchParams.get('stream') ?? 'SCIM_EVENTS';
  const prefix = url.searchParams.get('prefix') ?? 'scim';
  type Conn = import('@nats-io/transport-node').NatsConnection;
  type Js = import('@nats-io/jetstream').JetStreamClient;

  async function open(): Promise<{ nc: Conn; js: Js }> {
    const { connect } = await import('@nats-io/transport-node');
    const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({
      servers: `${url.hostname}:${url.port || '4222'}`,
      ...(url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : {}),
      timeout: 5000,
      // The relay owns retries: a lost connection fails the publish and the relay reconnects.
      reconnect: false,
    });
    try {
      const jsm = await jetstreamManager(nc);
      try {
        await jsm.streams.info(stream);
      } catch {
        await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
      }
      return { nc, js: jetstream(nc) };
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  const connection = lazyConnection(open, (c) => c.nc.close());
  const close = () => connection.close();

  return {
    name: sinkName(url),
    async publish(events: readonly CloudEvent[]) {
      const { nc, js } = await connection.get();
      if (nc.isClosed()) {
        await close();
        throw new Error('NATS connection closed');
      }
      // Sent back to back on one connection (so in order), acks awaited together.
      await Promise.all(
        events.map((event) => js.publish(`${prefix}.${event.tenant}.${event.type}`, encode(event), { msgID: event.id, timeout: 5000 })),
      );
    },
    close,
  };
}
