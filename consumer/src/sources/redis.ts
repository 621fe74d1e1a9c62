import { parseEvent, type ScimEvent } from '../events.ts';
import { redact, type Source, type SourceOptions, sleep } from './source.ts';

/**
 * Redis Streams, the sink URL of SCIMD_EVENT_SINKS (`redis://host:6379/0?stream=scim.events`): a
 * consumer group of its own (the subscription name; created at the stream's end, what came before
 * is the feed's job). Entries of other tenants are acknowledged unread; the tenant's are
 * acknowledged after their batch is committed. On start, entries read but never acknowledged
 * (a crash) are read again first.
 */
export function redisSource(url: URL, options: SourceOptions): Source {
  const stream = url.searchParams.get('stream') ?? 'scim.events';
  const group = options.subscription;
  const connectUrl = new URL(url.href);
  connectUrl.search = '';
  let running = false;
  let client: import('ioredis').Redis | undefined;

  return {
    name: redact(url),
    async start(tenant, deliver) {
      const { Redis } = await import('ioredis');
      const redis = new Redis(connectUrl.href, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 5000) });
      redis.on('error', () => undefined);
      client = redis;
      try {
        await redis.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
      } catch (error) {
        if (!String(error).includes('BUSYGROUP')) throw error;
      }
      running = true;
      void (async () => {
        // '0': this consumer's pending entries first (read before a crash, never acknowledged); then '>'.
        let from = '0';
        while (running) {
          try {
            const reply = (await redis.xreadgroup(
              'GROUP',
              group,
              'consumer',
              'COUNT',
              options.batchSize,
              'BLOCK',
              1000,
              'STREAMS',
              stream,
              from,
            )) as [string, [string, string[]][]][] | null;
            const entries = reply?.[0]?.[1] ?? [];
            if (entries.length === 0) {
              from = '>';
              continue;
            }
            const events: ScimEvent[] = [];
            for (const [, fields] of entries) {
              const at = fields.indexOf('tenant');
              if (at >= 0 && fields[at + 1] !== tenant) continue;
              const body = fields[fields.indexOf('event') + 1];
              try {
                if (body !== undefined) events.push(parseEvent(body));
              } catch {
                options.log('dropped an entry that is not a scimd event');
              }
            }
            try {
              await deliver(events);
            } catch (error) {
              options.log('could not apply a batch from Redis; it stays pending', error);
              from = '0';
              await sleep(500);
              continue;
            }
            await redis.xack(stream, group, ...entries.map(([id]) => id));
          } catch (error) {
            if (running) {
              options.log('Redis read failed; retrying', error);
              await sleep(500);
            }
          }
        }
      })();
    },
    async stop() {
      running = false;
      client?.disconnect();
    },
  };
}
