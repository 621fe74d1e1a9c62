import { parseEvent, type ScimEvent } from '../events.ts';
import { type Deliver, redact, type Source, type SourceOptions, sleep } from './source.ts';

interface Message {
  readonly content: Buffer;
}
interface Channel {
  assertExchange(name: string, type: string, options: object): Promise<unknown>;
  assertQueue(name: string, options: object): Promise<{ queue: string }>;
  bindQueue(queue: string, exchange: string, key: string): Promise<unknown>;
  prefetch(count: number): Promise<unknown>;
  consume(queue: string, onMessage: (m: Message | null) => void): Promise<unknown>;
  ack(message: Message, allUpTo?: boolean): void;
  nack(message: Message, allUpTo?: boolean, requeue?: boolean): void;
}
interface Connection {
  createChannel(): Promise<Channel>;
  close(): Promise<void>;
  on(event: 'close' | 'error', listener: (error?: unknown) => void): unknown;
}

/**
 * RabbitMQ, the sink URL of SCIMD_EVENT_SINKS (`amqp://user:pass@host/vhost?exchange=scim.events`):
 * a durable queue of its own (`?queue=`, default the subscription name) bound to the exchange with
 * `<tenant>.#`, so that events wait there while the consumer is down. Messages are acknowledged
 * (all of a batch at once) only after the batch is committed; a failed batch is requeued. A lost
 * connection is reopened with backoff; what was not acknowledged is redelivered by the broker.
 */
/** An acknowledgement on a channel that has closed meanwhile fails: the broker redelivers anyway. */
function settle(step: () => void): void {
  try {
    step();
  } catch {
    // The connection is gone; its unacknowledged messages come back on the next one.
  }
}

export function amqpSource(url: URL, options: SourceOptions): Source {
  const exchange = url.searchParams.get('exchange') ?? 'scim.events';
  const queue = url.searchParams.get('queue') ?? options.subscription;
  const connectUrl = new URL(url.href);
  connectUrl.search = '';
  let running = false;
  let connection: Connection | undefined;
  let stopped: () => void = () => undefined;

  async function session(tenant: string, deliver: Deliver): Promise<void> {
    const amqp = (await import('amqplib')) as unknown as { connect(url: string, options?: object): Promise<Connection> };
    const conn = await amqp.connect(connectUrl.href, { timeout: 5000 });
    connection = conn;
    const closed = new Promise<void>((resolve) => {
      conn.on('close', () => resolve());
      conn.on('error', () => resolve());
      stopped = resolve;
    });
    const ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'topic', { durable: true });
    await ch.assertQueue(queue, { durable: true });
    await ch.bindQueue(queue, exchange, `${tenant}.#`);
    // Two batches in flight: one being applied while the next fills.
    await ch.prefetch(options.batchSize * 2);
    let buffer: { message: Message; event: ScimEvent | undefined }[] = [];
    let timer: NodeJS.Timeout | undefined;
    let chain = Promise.resolve();
    const flush = () => {
      clearTimeout(timer);
      timer = undefined;
      if (buffer.length === 0) return;
      const batch = buffer;
      buffer = [];
      chain = chain.then(async () => {
        const last = batch[batch.length - 1]!.message;
        try {
          await deliver(batch.flatMap((b) => (b.event ? [b.event] : [])));
        } catch (error) {
          options.log('could not apply a batch from RabbitMQ; it is requeued', error);
          await sleep(500);
          settle(() => ch.nack(last, true, true));
          return;
        }
        settle(() => ch.ack(last, true));
      });
    };
    await ch.consume(queue, (message) => {
      if (!message) return;
      let event: ScimEvent | undefined;
      try {
        event = parseEvent(message.content);
      } catch {
        options.log('dropped a message that is not a scimd event');
      }
      buffer.push({ message, event });
      if (buffer.length >= options.batchSize) flush();
      else timer ??= setTimeout(flush, 5);
    });
    await closed;
    clearTimeout(timer);
  }

  return {
    name: redact(url),
    async start(tenant, deliver) {
      running = true;
      void (async () => {
        for (let attempt = 0; running; attempt++) {
          try {
            await session(tenant, deliver);
            attempt = 0;
          } catch (error) {
            options.log('RabbitMQ connection failed; retrying', error);
          }
          if (running) await sleep(Math.min(200 * 2 ** attempt, 5000));
        }
      })();
    },
    async stop() {
      running = false;
      stopped();
      await connection?.close().catch(() => undefined);
    },
  };
}
