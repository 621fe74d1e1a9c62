import type { FastifyInstance } from 'fastify';
import { ScimError } from '../../errors/scim-error.ts';
import { toErrorBody } from '../../errors/to-response.ts';
import { toScimError } from '../../errors/from-unknown.ts';
import { SCIM_MEDIA_TYPE } from '../scim-reply.ts';

/** The one place where errors become RFC 7644 §3.12 bodies. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { scimError, internal } = toScimError(error, request.id);
    if (internal) request.log.error({ err: error }, 'unhandled error');
    else if (scimError.status >= 500) request.log.warn({ err: error }, scimError.detail);
    for (const [name, value] of Object.entries(scimError.headers)) reply.header(name, value);
    return reply.code(scimError.status).type(SCIM_MEDIA_TYPE).send(toErrorBody(scimError));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new ScimError(404, undefined, `no such endpoint: ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(404).type(SCIM_MEDIA_TYPE).send(toErrorBody(error));
  });
}
