import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { etagOf } from '../service/etag.ts';
import type { JsonResult } from '../service/group-stream.ts';

export const SCIM_MEDIA_TYPE = 'application/scim+json; charset=utf-8';
/** RFC 7240 §3: the preferences of `Prefer` that the answer honoured. */
export const PREFERENCE_APPLIED = 'preference-applied';

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

/**
 * A resource given as JSON text (a group with its members): sent whole, or as a stream that
 * asks for the next piece only when the socket has taken the previous ones, so that a slow client
 * holds one chunk in memory, not the group. A client that goes away ends the read.
 */
export function sendJson(reply: FastifyReply, result: JsonResult): FastifyReply {
  reply.code(200).type(SCIM_MEDIA_TYPE).header('etag', etagOf(result.version));
  const rest = result.rest;
  if (!rest) return reply.send(result.head);
  let head: string | undefined = result.head;
  const stream = new Readable({
    read() {
      if (head !== undefined) {
        this.push(head);
        head = undefined;
        return;
      }
      rest.next().then(
        (piece) => this.push(piece ?? null),
        (error: unknown) => this.destroy(error as Error),
      );
    },
    destroy(error, callback) {
      rest.close().then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
  return reply.send(stream);
}
