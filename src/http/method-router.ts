import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods, RouteShorthandOptions } from 'fastify';
import { ScimError } from '../errors/scim-error.ts';

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Registers the handlers of one path, and answers every other method with 405 and an Allow
 * header (RFC 9110 §15.5.6) instead of the framework's 404. `options` (a route's own body
 * limit, hooks) apply to the handled methods only. The 405 is answered in onRequest (after the
 * scope's authentication), before any body is read: a method the path does not have is 405
 * whatever it sends, never 400 for its body.
 */
export function route(
  app: FastifyInstance,
  url: string,
  handlers: Partial<Record<Method, Handler>>,
  options: Pick<RouteShorthandOptions, 'bodyLimit' | 'onRequest'> = {},
): void {
  const allowed = METHODS.filter((m) => handlers[m] !== undefined);
  for (const method of allowed) app.route({ ...options, method, url, handler: handlers[method]! });
  const others: HTTPMethods[] = METHODS.filter((m) => handlers[m] === undefined);
  if (!allowed.includes('GET')) others.push('HEAD');
  const allow = [...allowed, ...(allowed.includes('GET') ? ['HEAD'] : [])].join(', ');
  const refuse = async () => {
    throw new ScimError(405, undefined, `method not allowed here; allowed: ${allow}`, { allow });
  };
  // Fastify requires a handler; the hook has answered before it.
  app.route({ method: others, url, onRequest: refuse, handler: refuse });
}
