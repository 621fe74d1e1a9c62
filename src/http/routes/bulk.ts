import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.ts';
import { toScimError } from '../../errors/from-unknown.ts';
import { payloadTooLarge } from '../../errors/scim-error.ts';
import { toErrorBody } from '../../errors/to-response.ts';
import { BULK_RESPONSE_SCHEMA, type BulkOperationResult, type BulkService } from '../../service/bulk.ts';
import { route } from '../method-router.ts';
import { scopeOf } from '../request-context.ts';
import { sendScim } from '../scim-reply.ts';
import { reportSkippedMembers } from '../skipped-members.ts';

/**
 * RFC 7644 §3.7 POST /Bulk. Its body may reach maxPayloadSize, which is usually above the body
 * limit of the other routes; a larger one is 413 naming the limit (§3.7.4) before it is read.
 */
export function registerBulkRoutes(app: FastifyInstance, config: Config, bulk: BulkService): void {
  const { maxPayloadSize } = bulk.limits;
  const refuseOversized = async (request: FastifyRequest) => {
    const length = Number(request.headers['content-length']);
    if (length > maxPayloadSize) {
      throw payloadTooLarge(`the bulk request is ${length} bytes, more than maxPayloadSize (${maxPayloadSize})`);
    }
  };
  route(
    app,
    '/Bulk',
    {
      POST: async (request, reply) => {
        const results = await bulk.execute(scopeOf(config, request), request.body);
        reportSkippedMembers(
          request,
          reply,
          results.flatMap((r) => r.skippedMembers ?? []),
        );
        return sendScim(reply, { schemas: [BULK_RESPONSE_SCHEMA], Operations: results.map((r) => render(r, request.id, request.log)) });
      },
    },
    // A body sent without Content-Length (chunked) meets the same limit while it is read.
    { bodyLimit: maxPayloadSize, onRequest: refuseOversized },
  );
}

/** One BulkResponse operation (RFC 7644 §3.7.3): `status` is a string; an error carries its SCIM error body. */
function render(result: BulkOperationResult, requestId: string, log: FastifyBaseLogger): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (result.method !== undefined) out['method'] = result.method;
  if (result.bulkId !== undefined) out['bulkId'] = result.bulkId;
  if (result.location !== undefined) out['location'] = result.location;
  if (result.version !== undefined) out['version'] = result.version;
  if (result.error === undefined) {
    out['status'] = String(result.status);
    return out;
  }
  const { scimError, internal } = toScimError(result.error, requestId);
  if (internal) log.error({ err: result.error }, 'unhandled error in a bulk operation');
  else if (scimError.status >= 500) log.warn({ err: result.error }, scimError.detail);
  out['status'] = String(scimError.status);
  out['response'] = toErrorBody(scimError);
  return out;
}
