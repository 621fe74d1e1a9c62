import type { FastifyInstance } from 'fastify';
import { REQUEST_ID_HEADER } from '../request-id.ts';

/**
 * Sent on every response, errors and 404s included. scimd serves JSON to machines, never pages to
 * browsers, so the strictest settings cost nothing: no sniffing a body into HTML, no framing, no
 * scripts or subresources, no referrer, and no caching of responses that carry personal data
 * (RFC 9111 §5.2.2.5 no-store). HSTS belongs to the TLS-terminating proxy in front of scimd.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
});

export function installSecurityHeaders(app: FastifyInstance): void {
  // onSend runs for every reply that goes through Fastify: routes, the error handler, 404s, 405s.
  // A callback hook, not an async one: it runs on every response and has nothing to await.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS);
    // Here too, for the same reason: every answer carries the id its log lines and audit entry have.
    reply.header(REQUEST_ID_HEADER, request.id);
    done(null, payload);
  });
}
