import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header a request id comes in and goes back out in (the de facto standard of proxies and load balancers). */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What an incoming id may be: what proxies and tracers send (UUIDs, hex, base64, AWS's
 * `Root=1-…;Parent=…`), short, and nothing that could break a log line or a response header.
 */
const WELL_FORMED = /^[\w.:;+/=@-]{1,128}$/;

/** Fastify's genReqId: the caller's X-Request-Id when well-formed, else a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && WELL_FORMED.test(given) ? given : randomUUID();
}
