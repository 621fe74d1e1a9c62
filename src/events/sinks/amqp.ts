import type { CloudEvent } from '../cloud-event.ts';
import { CONTENT_TYPE, encode, type Publisher, routingKey, sinkName } from '../publisher.ts';
import { lazyConnection } from './lazy-connection.ts';

/** The subset of amqplib's promise API used here (style.md: describe drivers structurally). */
interface AmqpChannel {
  assertExchange(name: string, type: string, options: { durable: boolean }): Promise<unknown>;
  publish(exchange: string, key: string, content: Buffer, options: Record<string, unknown>): boolean;
  waitForConfirms(): Promise<void>;
  on(event: 'error' | 'close', listener: (error?: unknown) => void): unknown;
}
interface AmqpConnection {
  createConfirmChannel(): Promise<AmqpChannel>;
  close(): Promise<void>;
  on(event: 'error' | 'close', listener: (error?: unknown) => void): unknown;
}

/**
 * RabbitMQ: a durable topic exchange (`?exchange=`, default `scim.events`), routing key
 * `<tenant>.<type>`, persistent messages with the event id as message-id, on a confirm channel:
 * `publish` resolves only when the broker has confirmed every message (publisher confirms).
 */
export function amqpSink(url: URL): Publisher {
  const exchange = url.searchParams.get('exchange') ?? 'scim.events';
  const connectUrl = new URL(url.href);
  connectUrl.searchParams.delete('exchange');
  let broken: unknown;

  async function open() {
    const amqp = (await import('amqplib')) as unknown as { connect(url: string, options?: object): Promise<AmqpConnection> };
    const connection = await amqp.connect(connectUrl.href, { timeout: 5000 });
    const fail = (error?: unknown) => {
      broken = error ?? new Error('AMQP connection closed');
    };
    connection.on('error', fail);
    connection.on('close', fail);
    const channel = await connection.createConfirmChannel();
    channel.on('error', fail);
    channel.on('close', fail);
    await channel.assertExchange(exchange, 'topic', { durable: true });
    broken = undefined;
    return { connection, channel };
  }

  const connection = lazyConnection(open, (c) => c.connection.close());
  const close = () => connection.close();

  return {
    name: sinkName(url),
    async publish(events: readonly CloudEvent[]) {
      if (broken) await close();
      const { channel } = await connection.get();
      for (const event of events) {
        channel.publish(exchange, routingKey(event), encode(event), {
          persistent: true,
          contentType: CONTENT_TYPE,
          messageId: event.id,
          type: event.type,
          timestamp: Math.floor(Date.parse(event.time) / 1000),
        });
      }
      // Rejects if the broker nacks any message or the channel closes before confirming.
      await channel.waitForConfirms();
      if (broken) throw broken instanceof Error ? broken : new Error(String(broken));
    },
    close,
  };
}
