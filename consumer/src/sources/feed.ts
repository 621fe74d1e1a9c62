import type { ScimClient } from '../scim.ts';
import { type Source, type SourceOptions, sleep } from './source.ts';

/**
 * scimd's built-in feed (GET /Events), for a consumer without a broker: pages after the
 * consumer's position, at once while pages come back full, every `pollMs` when idle.
 */
export function feedSource(client: ScimClient, options: SourceOptions & { readonly pollMs?: number }): Source {
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  return {
    name: 'feed',
    async start(_tenant, deliver, position) {
      running = true;
      loop = (async () => {
        while (running) {
          let full = false;
          try {
            const events = await client.events(position(), options.batchSize);
            if (events.length > 0) await deliver(events);
            full = events.length >= options.batchSize;
          } catch (error) {
            options.log('feed read failed; retrying', error);
          }
          if (!full && running) await sleep(options.pollMs ?? 250);
        }
      })();
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
