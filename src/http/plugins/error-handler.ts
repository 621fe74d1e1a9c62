import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toScimError } from '../../errors/from-unknown.ts';
import type { ScimError } from '../../errors/scim-error.ts';
import { toErrorBody } from '../../errors/to-response.ts';
import type { Metrics } from '../../metrics/registry.ts';
import { noSuchEndpoint } from '../enabled-type.ts';
import { REQUEST_ID_HEADER } from '../request-id.ts';
import { SCIM_MEDIA_TYPE } from '../scim-reply.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

function sendError(reply: FastifyReply, scimError: ScimError, metrics: Metrics | undefined): FastifyReply {
  metrics?.scimError(scimError.status, scimError.scimType);
  for (const [name, value] of Object.entries(scimError.headers)) reply.header(name, value);
  return reply.code(scimError.status).type(SCIM_MEDIA_TYPE).send(toErrorBody(scimError));
}

/** The one place where errors become RFC 7644 §3.12 bodies. */
export function installErrorHandling(app: FastifyInstance, metrics?: Metrics): void {
  app.setErrorHandler((error, request, reply) => {
    const { scimError, internal } = toScimError(error, request.id);
    if (internal) request.log.error({ err: error }, 'unhandled error');
    else if (scimError.status >= 500) request.log.warn({ err: error }, scimError.detail);
    return sendError(reply, scimError, metrics);
  });
  app.setNotFoundHandler((request, reply) => {
    return sendError(reply, noSuchEndpoint(request), metrics);
  });
}

/**
 * Fastify's `frameworkErrors` option: a malformed URL (bad percent-encoding) or a path parameter
 * over the router's maxParamLength is refused before routing, where neither the error handler
 * nor the onSend hooks run. Without this, those answers were Fastify's own JSON, without the
 * security headers.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply, metrics?: Metrics): void {
  reply.headers(SECURITY_HEADERS);
  reply.header(REQUEST_ID_HEADER, request.id);
  sendError(reply, toScimError(error, request.id).scimError, metrics);
}
