import { createHmac } from 'node:crypto';
import type { CloudEvent } from '../cloud-event.ts';
import { CONTENT_TYPE, type Publisher, sinkName } from '../publisher.ts';

export const SIGNATURE_HEADER = 'scimd-signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the timestamp is signed with the
 * body so that a receiver can refuse replays older than its tolerance (docs/events.md, Webhooks).
 */
export function signature(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * Webhook: one POST per event, body the CloudEvent (structured mode), signed with the secret in
 * the URL fragment (`https://hooks.example.com/scim#secret=…`; a fragment is never sent on the
 * wire). Any 2xx means delivered; anything else, or no answer within 10 s, is a failure.
 */
export function webhookSink(url: URL): Publisher {
  const secret = new URLSearchParams(url.hash.slice(1)).get('secret');
  if (!secret) throw new Error(`webhook sink ${sinkName(url)} needs a secret: append #secret=…`);
  const target = new URL(url.href);
  target.hash = '';
  return {
    name: sinkName(url),
    async publish(events: readonly CloudEvent[]) {
      for (const event of events) {
        const body = JSON.stringify(event);
        const response = await fetch(target, {
          method: 'POST',
          headers: {
            'content-type': CONTENT_TYPE,
            [SIGNATURE_HEADER]: signature(secret, Math.floor(Date.now() / 1000), body),
            'ce-id': event.id,
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.status < 200 || response.status > 299) throw new Error(`webhook answered ${response.status}`);
      }
    },
    async close() {},
  };
}
