import type { FastifyInstance } from 'fastify';
import type { RequestLog } from '../service/request-log.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The response text as sent, kept for the request log until the response ends. */
    loggedResponse: string | undefined;
  }
}

/**
 * Hands every authenticated SCIM request to the request log once answered: the parsed body (or
 * the text that did not parse), the response text, status, latency, request id, token and
 * resource id. Redaction, cutting and writing happen in the service, after the response.
 * A genuine credential refused (revoked, expired, its tenant disabled) is recorded for its
 * tenant; a request with no token or an unknown one has no tenant and is not recorded.
 */
export function installRequestLogHook(scim: FastifyInstance, basePath: string, log: RequestLog): void {
  scim.decorateRequest('loggedResponse', undefined);
  // Callback hooks: they run on every SCIM response and have nothing to await.
  scim.addHook('onSend', (request, _reply, payload, done) => {
    if ((request.principal ?? request.refusedHolder) !== null && typeof payload === 'string') request.loggedResponse = payload;
    done(null, payload);
  });
  scim.addHook('onResponse', (request, reply, done) => {
    const principal = request.principal ?? request.refusedHolder;
    if (principal !== null) {
      const url = request.url;
      const mark = url.indexOf('?');
      const params = request.params as { id?: unknown } | undefined;
      let resourceId = typeof params?.id === 'string' ? params.id : undefined;
      const location = reply.getHeader('location');
      if (resourceId === undefined && reply.statusCode === 201 && typeof location === 'string') {
        resourceId = location.slice(location.lastIndexOf('/') + 1);
      }
      const latencyMs = reply.elapsedTime;
      log.record({
        tenantId: principal.tenantId,
        arrivedMs: Date.now() - latencyMs,
        method: request.method,
        path: url.slice(basePath.length, mark < 0 ? url.length : mark) || '/',
        query: mark < 0 ? '' : url.slice(mark + 1),
        status: reply.statusCode,
        latencyMs,
        requestId: request.id,
        tokenId: principal.tokenId,
        userAgent: request.headers['user-agent'],
        resourceId,
        body: request.body ?? undefined,
        unparsedBody: request.unparsedBody,
        response: request.loggedResponse,
        bearer: request.headers.authorization?.replace(/^\s*Bearer\s+/i, '').trim() || undefined,
      });
    }
    done();
  });
}
