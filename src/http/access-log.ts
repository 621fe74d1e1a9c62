import type { FastifyInstance } from 'fastify';

/**
 * One info line per request, once answered (SCIMD_ACCESS_LOG=off: none): method, path, the names
 * of the query parameters, status, milliseconds, tenant. Query values stay out: a filter may
 * compare a password (RFC 7643 §4.1.1). The line carries the request's id (`reqId`), as every log
 * line of the request does.
 */
export function installAccessLog(app: FastifyInstance): void {
  // A callback hook: it runs after every response and has nothing to await.
  app.addHook('onResponse', (request, reply, done) => {
    const url = request.url;
    const mark = url.indexOf('?');
    request.log.info(
      {
        method: request.method,
        path: mark < 0 ? url : url.slice(0, mark),
        params: mark < 0 ? undefined : [...new URLSearchParams(url.slice(mark + 1)).keys()],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        tenant: request.principal?.tenantName,
      },
      'request',
    );
    done();
  });
}
