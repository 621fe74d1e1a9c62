import type { CloudEvent } from '../cloud-event.ts';
import { type Publisher, sinkName } from '../publisher.ts';
import { securityEventClaims } from '../set/claims.ts';
import type { SetSigner } from '../set/keys.ts';
import { SET_MEDIA_TYPE } from '../set/uris.ts';

/** The RFC 8935 §2.3 error body a receiver answers a refused SET with, for the relay's log. */
async function refusal(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { err?: unknown; description?: unknown };
    if (typeof body.err === 'string') return `${body.err}${typeof body.description === 'string' ? `: ${body.description}` : ''}`;
  } catch {
    // Not the RFC's JSON error body: the status says enough.
  }
  return 'no RFC 8935 error body';
}

/**
 * RFC 8935 push delivery of RFC 9967 SETs: `set+https://receiver.example.com/events#aud=…&token=…`.
 * One POST per event, body the signed SET (`application/secevent+jwt`); the receiver's `202
 * Accepted` (any 2xx) means delivered. Anything else (a 400 with `{"err": …}`, a 401, no answer
 * within 10 s) is a failure the relay retries with backoff: a SET is never dropped, so fixing the
 * receiver's keys or audience lets delivery resume where it stopped. The fragment, never sent,
 * carries `aud` (default: the receiver URL) and `token` (sent as `Authorization: Bearer`).
 */
export function setPushSink(url: URL, signer: SetSigner): Publisher {
  const options = new URLSearchParams(url.hash.slice(1));
  const target = new URL(url.href.slice('set+'.length));
  target.hash = '';
  const audience = options.get('aud') ?? target.href;
  const token = options.get('token');
  return {
    name: sinkName(url),
    async publish(events: readonly CloudEvent[]) {
      for (const event of events) {
        const claims = securityEventClaims(event, audience);
        if (!claims) continue;
        const response = await fetch(target, {
          method: 'POST',
          headers: {
            'content-type': SET_MEDIA_TYPE,
            accept: 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: await signer.sign(claims),
          signal: AbortSignal.timeout(10_000),
        });
        if (response.status >= 200 && response.status <= 299) {
          await response.arrayBuffer().catch(() => undefined);
          continue;
        }
        throw new Error(`SET receiver answered ${response.status} for jti ${claims.jti} (${await refusal(response)})`);
      }
    },
    async close() {},
  };
}
