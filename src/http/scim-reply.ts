import type { FastifyReply } from 'fastify';
import { etagOf } from '../service/etag.ts';

export const SCIM_MEDIA_TYPE = 'application/scim+json; charset=utf-8';

/** A resource in a response: body, ETag (RFC 7644 §3.14) and, on create, Location (§3.3). */
export function sendResource(
  reply: FastifyReply,
  status: 200 | 201,
  result: { resource: unknown; version: number; location: string },
): FastifyReply {
  reply.code(status).type(SCIM_MEDIA_TYPE).header('etag', etagOf(result.version));
  if (status === 201) reply.header('location', result.location);
  return reply.send(result.resource);
}

export function sendScim(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  return reply.code(status).type(SCIM_MEDIA_TYPE).send(body);
}
