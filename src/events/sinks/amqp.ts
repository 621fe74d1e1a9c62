import type { CloudEvent } from '../cloud-event.ts';
import { CONTENT_TYPE, encode, type Publisher, RefusedEventsError, routingKey, sinkName } from '../publisher.ts';
import { lazyConnection } from './lazy-connection.ts';

/** A message the broker could not route, as amqplib hands it back (basic.return). */
interface Returned {
  readonly fields: { readonly routingKey: string };
  readonly properties: { readonly messageId?: string };
}

/** The subset of amqplib's promise API used here (style.md: describe drivers structurally). */
interface AmqpChannel {
  assertExchange(name: string, type: string, options: { durable: boolean }): Promise<unknown>;
  publish(exchange: string, key: string, content: Buffer, options: Record<string, unknown>): boolean;
  waitForConfirms(): Promise<void>;
  on(event: 'error' | 'close', listener: (error?: unknown) => void): unknown;
  on(event: 'return', listener: (message: Returned) => void): unknown;
}
interface AmqpConnection {
  createConfirmChannel(): Promise<AmqpChannel>;
  close(): Promise<void>;
  on(event: 'error' | 'close', listener: (error?: unknown) => void): unknown;
  /** amqplib's connection under the promise API: its socket, destroyed when a close gets no answer. */
  readonly connection: { readonly stream: { destroy(): void } };
}

/** How long a close waits for the broker's answer before the socket is destroyed (a frozen link never answers). */
const CLOSE_WAIT_MS = 1000;

/**
 * RabbitMQ: a durable topic exchange (`?exchange=`, default `scim.events`), routing key
 * `<tenant>.<type>`, persistent messages with the event id as message-id, on a confirm channel:
 * `publish` resolves only when the broker has confirmed every message (publisher confirms).
 * Messages are mandatory: one that no queue is bound for comes back (basic.return, before its
 * confirm) and the publish fails with RefusedEventsError, so that the relay retries it instead of
 * counting as delivered an event nobody can receive (docs/events.md, RabbitMQ).
 */
export function amqpSink(url: URL): Publisher {
  const exchange = url.searchParams.get('exchange') ?? 'scim.events';
  const connectUrl = new URL(url.href);
  connectUrl.searchParams.delete('exchange');

  async function open() {
    const amqp = (await import('amqplib')) as unknown as { connect(url: string, options?: object): Promise<AmqpConnection> };
    const connection = await amqp.connect(connectUrl.href, { timeout: 5000 });
    // Per connection: a failure of a connection already replaced must not condemn its successor.
    const link = { broken: undefined as unknown, returned: new Set<string>() };
    const fail = (error?: unknown) => {
      link.broken ??= error ?? new Error('AMQP connection closed');
    };
    connection.on('error', fail);
    connection.on('close', fail);
    const channel = await connection.createConfirmChannel();
    channel.on('error', fail);
    channel.on('close', fail);
    channel.on('return', (message) => link.returned.add(message.properties.messageId ?? ''));
    await channel.assertExchange(exchange, 'topic', { durable: true });
    return { connection, channel, link };
  }

  const connection = lazyConnection(open, async ({ connection: c }) => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([c.close(), new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]).finally(() => {
      clearTimeout(timer);
      c.connection.stream.destroy();
    });
  });
  const close = () => connection.close();

  return {
    name: sinkName(url),
    async publish(events: readonly CloudEvent[]) {
      let open = await connection.get();
      if (open.link.broken !== undefined) {
        await close();
        open = await connection.get();
      }
      const { channel, link } = open;
      link.returned.clear();
      for (const event of events) {
        channel.publish(exchange, routingKey(event), encode(event), {
          mandatory: true,
          persistent: true,
          contentType: CONTENT_TYPE,
          messageId: event.id,
          type: event.type,
          timestamp: Math.floor(Date.parse(event.time) / 1000),
        });
      }
      // Rejects if the broker nacks any message or the channel closes before confirming.
      await channel.waitForConfirms();
      if (link.broken !== undefined) throw link.broken instanceof Error ? link.broken : new Error(String(link.broken));
      const returned = events.filter((e) => link.returned.has(e.id));
      if (returned.length > 0) {
        throw new RefusedEventsError(
          `RabbitMQ returned ${returned.length} of ${events.length} events: no queue is bound to exchange "${exchange}" for routing key "${routingKey(returned[0]!)}"`,
        );
      }
    },
    close,
  };
}
