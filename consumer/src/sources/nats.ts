import { parseEvent, type ScimEvent } from '../events.ts';
import { redact, type Source, type SourceOptions, sleep } from './source.ts';

/**
 * NATS JetStream, the sink URL of SCIMD_EVENT_SINKS (`nats://host:4222?stream=SCIM_EVENTS&prefix=scim`):
 * a durable pull consumer of its own (the subscription name) on `<prefix>.<tenant>.>`, created
 * to deliver new messages (what came before is the feed's job), acknowledging each message only
 * after its batch is committed; a failed batch is redelivered after its ack wait.
 */
export function natsSource(url: URL, options: SourceOptions): Source {
  const stream = url.searchParams.get('stream') ?? 'SCIM_EVENTS';
  const prefix = url.searchParams.get('prefix') ?? 'scim';
  const durable = options.subscription.replace(/[^A-Za-z0-9_-]/g, '_');
  let running = false;
  let close: () => Promise<void> = async () => undefined;

  return {
    name: redact(url),
    async start(tenant, deliver) {
      const { connect } = await import('@nats-io/transport-node');
      const { jetstream, jetstreamManager, AckPolicy, DeliverPolicy } = await import('@nats-io/jetstream');
      const nc = await connect({
        servers: `${url.hostname}:${url.port || '4222'}`,
        ...(url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : {}),
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
      });
      close = async () => void (await nc.close().catch(() => undefined));
      const jsm = await jetstreamManager(nc);
      try {
        await jsm.streams.info(stream);
      } catch {
        await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
      }
      try {
        await jsm.consumers.info(stream, durable);
      } catch {
        await jsm.consumers.add(stream, {
          durable_name: durable,
          filter_subject: `${prefix}.${tenant}.>`,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.New,
          ack_wait: 30_000_000_000,
        });
      }
      const consumer = await jetstream(nc).consumers.get(stream, durable);
      running = true;
      void (async () => {
        while (running) {
          try {
            const batch = await consumer.fetch({ max_messages: options.batchSize, expires: 1000 });
            const messages: { ack(): void; nak(): void; data: Uint8Array }[] = [];
            for await (const m of batch) messages.push(m);
            if (messages.length === 0) continue;
            const events: ScimEvent[] = [];
            for (const m of messages) {
              try {
                events.push(parseEvent(m.data));
              } catch {
                options.log('dropped a message that is not a scimd event');
              }
            }
            try {
              await deliver(events);
              for (const m of messages) m.ack();
            } catch (error) {
              options.log('could not apply a batch from NATS; it is redelivered', error);
              for (const m of messages) m.nak();
              await sleep(500);
            }
          } catch (error) {
            if (running) {
              options.log('NATS fetch failed; retrying', error);
              await sleep(500);
            }
          }
        }
      })();
    },
    async stop() {
      running = false;
      await close();
    },
  };
}
