import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { parseEvent } from '../events.ts';
import type { Source, SourceOptions } from './source.ts';

/** How old a signature's timestamp may be before the request counts as a replay. */
const TOLERANCE_SECONDS = 300;

/** Checks `scimd-signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (docs/events.md, Webhook signatures). */
export function verifySignature(secret: string, header: string | undefined, body: string, nowSeconds = Date.now() / 1000): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return false;
  if (Math.abs(nowSeconds - Number(match[1])) > TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

/**
 * Signed webhooks, the sink URL of SCIMD_EVENT_SINKS (`http://host:port/path#secret=…`): the
 * consumer listens on that port and path (`listen` overrides the address, e.g. behind a proxy),
 * refuses a request whose signature does not verify (401), and answers 204 only once the event is
 * committed; anything else makes scimd retry it.
 */
export function webhookSource(url: URL, options: SourceOptions & { readonly listen?: { host: string; port: number } }): Source {
  const secret = new URLSearchParams(url.hash.slice(1)).get('secret');
  if (!secret) throw new Error('a webhook source needs the secret of its sink URL: #secret=…');
  let server: Server | undefined;
  const name = `${url.origin}${url.pathname}`;

  return {
    name,
    async start(_tenant, deliver) {
      let chain = Promise.resolve();
      server = createServer((req, res) => {
        if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://x').pathname !== url.pathname) {
          res.writeHead(404).end();
          return;
        }
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (!verifySignature(secret, req.headers['scimd-signature'] as string | undefined, body)) {
            res.writeHead(401).end();
            return;
          }
          chain = chain.then(async () => {
            try {
              await deliver([parseEvent(body)]);
              res.writeHead(204).end();
            } catch (error) {
              options.log('could not apply a webhook event; scimd retries it', error);
              res.writeHead(503).end();
            }
          });
        });
      });
      const host = options.listen?.host ?? url.hostname;
      const port = options.listen?.port ?? Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => resolve());
      });
    },
    async stop() {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
