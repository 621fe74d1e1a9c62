import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';
import { etagOf, matchesVersion } from '../../service/etag.ts';
import { listParamsFromQuery, listParamsFromSearchRequest, selectionFromQuery } from '../../service/list-params.ts';
import type { ResourceService } from '../../service/resources.ts';
import { route } from '../method-router.ts';
import { scopeOf } from '../request-context.ts';
import { sendJson, sendResource, sendScim } from '../scim-reply.ts';
import { reportSkippedMembers } from '../skipped-members.ts';

type Query = Record<string, unknown>;
type WithId = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

type IdOf = (request: FastifyRequest) => string | Promise<string>;

/**
 * GET, PUT, PATCH and DELETE of one resource (RFC 7644 §3.4.1, §3.5, §3.6), whose id `idOf`
 * finds: the path's `:id` on /Users/{id}, the authenticated subject's user on /Me (§3.11).
 * PUT and PATCH answer 200 with the resource, or with RFC 7240 `Prefer: return=minimal` 204
 * with the new ETag and no body.
 */
export function resourceHandlers(config: Config, resources: ResourceService, type: ResourceTypeName, idOf: IdOf) {
  const attributeLimits = config.requestLimits.attributeList;
  const update = (operation: 'replace' | 'patch') => async (req: FastifyRequest, reply: FastifyReply) => {
    const request = req as WithId;
    const result = await resources[operation](
      scopeOf(config, request),
      type,
      await idOf(request),
      request.body,
      header(request, 'if-match'),
      selectionFromQuery(request.query, attributeLimits),
    );
    reportSkippedMembers(request, reply, result.skippedMembers);
    if (/\breturn=minimal\b/i.test(header(request, 'prefer') ?? '')) {
      return reply.code(204).header('etag', etagOf(result.version)).send();
    }
    return sendResource(reply, 200, result);
  };
  return {
    GET: async (req: FastifyRequest, reply: FastifyReply) => {
      const request = req as WithId;
      const result = await resources.read(
        scopeOf(config, request),
        type,
        await idOf(request),
        selectionFromQuery(request.query, attributeLimits),
      );
      const ifNoneMatch = header(request, 'if-none-match');
      if (ifNoneMatch !== undefined && matchesVersion(ifNoneMatch, result.version)) {
        if ('head' in result) await result.rest?.close();
        return reply.code(304).header('etag', etagOf(result.version)).send();
      }
      return 'head' in result ? sendJson(reply, result) : sendResource(reply, 200, result);
    },
    PUT: update('replace'),
    PATCH: update('patch'),
    DELETE: async (req: FastifyRequest, reply: FastifyReply) => {
      const request = req as WithId;
      await resources.remove(scopeOf(config, request), type, await idOf(request), header(request, 'if-match'));
      return reply.code(204).send();
    },
  };
}

/** RFC 7644 §3.2–§3.6 on /Users and /Groups, and §3.4.3 POST /.search at every level. */
export function registerResourceRoutes(app: FastifyInstance, config: Config, resources: ResourceService): void {
  const attributeLimits = config.requestLimits.attributeList;
  const endpoints: ReadonlyArray<readonly [string, ResourceTypeName]> = [
    ['/Users', 'User'],
    ['/Groups', 'Group'],
  ];

  for (const [path, type] of endpoints) {
    route(app, path, {
      GET: async (request, reply) =>
        sendScim(
          reply,
          await resources.list(scopeOf(config, request), [type], listParamsFromQuery(request.query as Query, attributeLimits)),
        ),
      POST: async (request, reply) => {
        const created = await resources.create(
          scopeOf(config, request),
          type,
          request.body,
          selectionFromQuery(request.query as Query, attributeLimits),
        );
        reportSkippedMembers(request, reply, created.skippedMembers);
        return sendResource(reply, 201, created);
      },
    });
    route(app, `${path}/.search`, {
      POST: async (request, reply) =>
        sendScim(reply, await resources.list(scopeOf(config, request), [type], listParamsFromSearchRequest(request.body, attributeLimits))),
    });
    route(
      app,
      `${path}/:id`,
      resourceHandlers(config, resources, type, (request) => (request as WithId).params.id),
    );
  }
  route(app, '/.search', {
    POST: async (request, reply) =>
      sendScim(
        reply,
        await resources.list(scopeOf(config, request), ['User', 'Group'], listParamsFromSearchRequest(request.body, attributeLimits)),
      ),
  });
}
