import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.ts';
import { GROUP_MEMBERS_ENDPOINT } from '../../schema/core/group-member.ts';
import type { GroupMemberService } from '../../service/group-members.ts';
import { listParamsFromQuery, listParamsFromSearchRequest, selectionFromQuery } from '../../service/list-params.ts';
import { route } from '../method-router.ts';
import { scopeOf } from '../request-context.ts';
import { sendScim } from '../scim-reply.ts';

type Query = Record<string, unknown>;
type WithId = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;

/**
 * draft-zollner-scim-group-members-01 §6: POST, GET and DELETE of /GroupMembers (a membership is
 * never updated, so PUT and PATCH are 405), and POST /GroupMembers/.search (RFC 7644 §3.4.3). A
 * tenant that has not enabled the type gets 404 from the service. A membership has no ETag: it
 * never changes while it exists.
 */
export function registerGroupMemberRoutes(app: FastifyInstance, config: Config, members: GroupMemberService): void {
  const attributeLimits = config.requestLimits.attributeList;
  const path = `/${GROUP_MEMBERS_ENDPOINT}`;
  route(app, path, {
    GET: async (request, reply) =>
      sendScim(reply, await members.list(scopeOf(config, request), listParamsFromQuery(request.query as Query, attributeLimits))),
    POST: async (request, reply) => {
      const created = await members.create(
        scopeOf(config, request),
        request.body,
        selectionFromQuery(request.query as Query, attributeLimits),
      );
      reply.header('location', created.location);
      return sendScim(reply, created.resource, 201);
    },
  });
  route(app, `${path}/.search`, {
    POST: async (request, reply) =>
      sendScim(reply, await members.list(scopeOf(config, request), listParamsFromSearchRequest(request.body, attributeLimits))),
  });
  route(app, `${path}/:id`, {
    GET: async (req, reply) => {
      const request = req as WithId;
      const found = await members.get(scopeOf(config, request), request.params.id, selectionFromQuery(request.query, attributeLimits));
      return sendScim(reply, found.resource);
    },
    DELETE: async (req, reply) => {
      const request = req as WithId;
      await members.remove(scopeOf(config, request), request.params.id);
      return reply.code(204).send();
    },
  });
}
