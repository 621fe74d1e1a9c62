import type { FastifyInstance } from 'fastify';
import { ScimError } from '../errors/scim-error.ts';
import type { Metrics } from '../metrics/registry.ts';

/** Requests that match no route are one series, not one per path. */
const UNMATCHED = 'unmatched';

/**
 * What every answered request leaves behind, in one callback hook (it runs on every response):
 * the access line at info (SCIMD_ACCESS_LOG; method, path, the names of the query parameters,
 * status, ms, tenant; query values stay out, a filter may compare a password, RFC 7643 §4.1.1)
 * and the HTTP metrics by route template. The line carries the request id (`reqId`) as every log
 * line of the request does.
 */
export function installRequestObservers(app: FastifyInstance, options: { readonly accessLog: boolean; readonly metrics?: Metrics }): void {
  const { accessLog, metrics } = options;
  if (!accessLog && !metrics) return;
  app.addHook('onResponse', (request, reply, done) => {
    const tenant = request.principal?.tenantName;
    metrics?.observeRequest(request.method, request.routeOptions.url ?? UNMATCHED, reply.statusCode, reply.elapsedTime, tenant);
    if (reply.skippedMembers) metrics?.membersSkipped(reply.skippedMembers.length);
    if (accessLog) {
      const url = request.url;
      const mark = url.indexOf('?');
      request.log.info(
        {
          method: request.method,
          path: mark < 0 ? url : url.slice(0, mark),
          params: mark < 0 ? undefined : [...new URLSearchParams(url.slice(mark + 1)).keys()],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 100) / 100,
          tenant,
        },
        'request',
      );
    }
    done();
  });
}

/** Why authentication refused a request, as a bounded label: missing, invalid, expired, jwt, tenant_disabled, unavailable. */
export function authFailureReason(authorization: string | undefined, error: unknown): string {
  if (!(error instanceof ScimError)) return 'error';
  if (error.status === 403) return 'tenant_disabled';
  if (error.status === 503) return 'unavailable';
  const token = authorization === undefined ? undefined : /^Bearer[ ]+(\S+)/i.exec(authorization)?.[1];
  if (token === undefined) return 'missing';
  if (token.split('.').length === 3) return 'jwt';
  return /expired/.test(error.detail) ? 'expired' : 'invalid';
}

/** Which bucket a 429 came from: tenant, token, or both. */
export function rateLimitOf(error: unknown): string {
  const detail = error instanceof ScimError ? error.detail : '';
  const tenant = detail.includes('per tenant');
  const token = detail.includes('per token');
  return tenant && token ? 'tenant_and_token' : tenant ? 'tenant' : 'token';
}
