import type { CloudEvent } from '../cloud-event.ts';
import { type Publisher, sinkName } from '../publisher.ts';
import { lazyConnection } from './lazy-connection.ts';

/**
 * Redis Streams: `XADD <stream> MAXLEN ~ <maxlen> * …` (`?stream=`, default `scim.events`;
 * `?maxlen=`, default 1000000), fields `id`, `tenant`, `sequence`, `type`, `event` (the CloudEvent
 * JSON). One MULTI/EXEC per batch: a batch is stored whole or not at all.
 */
export function redisSink(url: URL): Publisher {
  const stream = url.searchParams.get('stream') ?? 'scim.events';
  const maxlen = Number(url.searchParams.get('maxlen') ?? 1_000_000);
  const connectUrl = new URL(url.href);
  connectUrl.search = '';
  type Client = import('ioredis').Redis;

  async function open(): Promise<Client> {
    const { Redis } = await import('ioredis');
    const client = new Redis(connectUrl.href, {
      lazyConnect: true,
      connectTimeout: 5000,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    client.on('error', () => {
      // Reported through the failing command; the relay logs and retries.
    });
    await client.connect();
    return client;
  }

  const connection = lazyConnection(open, (c) => c.disconnect());
  const close = () => connection.close();

  return {
    name: sinkName(url),
    async publish(events: readonly CloudEvent[]) {
      const client = await connection.get();
      if (client.status !== 'ready') {
        await close();
        throw new Error(`Redis connection is ${client.status}`);
      }
      const multi = client.multi();
      for (const e of events) {
        multi.xadd(
          stream,
          'MAXLEN',
          '~',
          maxlen,
          '*',
          'id',
          e.id,
          'tenant',
          e.tenant,
          'sequence',
          String(e.sequence),
          'type',
          e.type,
          'event',
          JSON.stringify(e),
        );
      }
      const results = await multi.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('Redis transaction aborted');
    },
    close,
  };
}
