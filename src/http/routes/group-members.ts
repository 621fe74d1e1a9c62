import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.ts';
import { GROUP_MEMBER_TYPE_NAME, GROUP_MEMBERS_ENDPOINT } from '../../schema/types/group-member.ts';
import type { GroupMemberService } from '../../service/group-members.ts';
import { listParamsFromQuery, listParamsFromSearchRequest, selectionFromQuery } from '../../service/list-params.ts';
import type { RegistrySource } from '../../service/schema-registries.ts';
import { requireEnabled } from '../enabled-type.ts';
import { route } from '../method-router.ts';
import { scopeOf } from '../request-context.ts';
import { sendScim } from '../scim-reply.ts';

type Query = Record<string, unknown>;
type WithId = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;

/**
 * draft-zollner-scim-group-members-01 §6: POST, GET and DELETE of /GroupMembers (a membership is
 * never updated, so PUT and PATCH are 405), and POST /GroupMembers/.search (RFC 7644 §3.4.3). For
 * a tenant that has not enabled the type, each is 404 as an unknown path is, before its body is
 * read (requireEnabled). A membership has no ETag: it never changes while it exists.
 */
export function registerGroupMemberRoutes(
  app: FastifyInstance,
  config: Config,
  members: GroupMemberService,
  registries: RegistrySource,
): void {
  const attributeLimits = config.requestLimits.attributeList;
  const path = `/${GROUP_MEMBERS_ENDPOINT}`;
  type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  const enabled =
    (handler: Handler): Handler =>
    async (request, reply) => {
      await requireEnabled(registries, scopeOf(config, request).tenantId, GROUP_MEMBER_TYPE_NAME, request);
      return handler(request, reply);
    };
  route(app, path, {
    GET: enabled(async (request, reply) =>
      sendScim(reply, await members.list(scopeOf(config, request), listParamsFromQuery(request.query as Query, attributeLimits))),
    ),
    POST: enabled(async (request, reply) => {
      const created = await members.create(
        scopeOf(config, request),
        request.body,
        selectionFromQuery(request.query as Query, attributeLimits),
      );
      reply.header('location', created.location);
      return sendScim(reply, created.resource, 201);
    }),
  });
  route(app, `${path}/.search`, {
    POST: enabled(async (request, reply) =>
      sendScim(reply, await members.list(scopeOf(config, request), listParamsFromSearchRequest(request.body, attributeLimits))),
    ),
  });
  route(app, `${path}/:id`, {
    GET: enabled(async (req, reply) => {
      const request = req as WithId;
      const found = await members.get(scopeOf(config, request), request.params.id, selectionFromQuery(request.query, attributeLimits));
      return sendScim(reply, found.resource);
    }),
    DELETE: enabled(async (req, reply) => {
      const request = req as WithId;
      await members.remove(scopeOf(config, request), request.params.id);
      return reply.code(204).send();
    }),
  });
}
