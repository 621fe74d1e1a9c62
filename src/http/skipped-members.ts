import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Member ids a group write skipped because no resource of the tenant has them (the lenient
 * member rules, docs/profiles.md): said to the client in a response header, on 200 and 204 alike,
 * and left on the reply for what records the request (the audit entry's reason, the
 * scimd_members_skipped_total metric, the access log line).
 */
declare module 'fastify' {
  interface FastifyReply {
    skippedMembers: readonly string[] | undefined;
  }
}

export const SKIPPED_MEMBERS_HEADER = 'scimd-skipped-members';
/** Sent with the header when it names fewer ids than were skipped. */
export const SKIPPED_MEMBERS_TOTAL_HEADER = 'scimd-skipped-members-total';
/** How many ids the header names: a header stays well under the 8 KB proxies accept. */
export const MAX_NAMED_SKIPPED = 20;

export function installSkippedMembers(app: FastifyInstance): void {
  app.decorateReply('skippedMembers', undefined);
}

/**
 * Records the ids a write skipped on the reply, and says so: `Scimd-Skipped-Members: id1,id2`,
 * each id percent-encoded (RFC 3986: a UUID is as it is; a comma or a character a header cannot
 * carry is not), at most MAX_NAMED_SKIPPED, with the total in Scimd-Skipped-Members-Total when
 * there were more.
 */
export function reportSkippedMembers(request: FastifyRequest, reply: FastifyReply, ids: readonly string[] | undefined): void {
  if (ids === undefined || ids.length === 0) return;
  reply.skippedMembers = ids;
  reply.header(SKIPPED_MEMBERS_HEADER, ids.slice(0, MAX_NAMED_SKIPPED).map(encodeURIComponent).join(','));
  if (ids.length > MAX_NAMED_SKIPPED) reply.header(SKIPPED_MEMBERS_TOTAL_HEADER, String(ids.length));
  request.log.info({ skippedMembers: ids.slice(0, MAX_NAMED_SKIPPED), skippedTotal: ids.length }, 'unknown member ids skipped');
}
