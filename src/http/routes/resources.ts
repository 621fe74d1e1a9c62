import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';
import { RESOURCE_TYPES } from '../../schema/types/catalogue.ts';
import { etagOf, matchesVersion } from '../../service/etag.ts';
import type { JsonResult } from '../../service/group-stream.ts';
import { listParamsFromQuery, listParamsFromSearchRequest, selectionFromQuery } from '../../service/list-params.ts';
import type { ResourceResult } from '../../service/resource-view.ts';
import type { ResourceService } from '../../service/resources.ts';
import type { RegistrySource } from '../../service/schema-registries.ts';
import { requireEnabled } from '../enabled-type.ts';
import { route } from '../method-router.ts';
import { scopeOf } from '../request-context.ts';
import { PREFERENCE_APPLIED, sendJson, sendResource, sendScim } from '../scim-reply.ts';
import { reportSkippedMembers } from '../skipped-members.ts';

type Query = Record<string, unknown>;
type WithId = FastifyRequest<{ Params: { id: string }; Querystring: Query }>;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

type IdOf = (request: FastifyRequest) => string | Promise<string>;

/** RFC 7240 §4.2 `Prefer: return=minimal` or `return=representation`: which answer the client asked for, if any. */
function returnPreference(request: FastifyRequest): 'minimal' | 'representation' | undefined {
  const match = /\breturn\s*=\s*"?(minimal|representation)\b/i.exec(header(request, 'prefer') ?? '');
  return match ? (match[1]!.toLowerCase() as 'minimal' | 'representation') : undefined;
}

/**
 * What a PATCH answers by default, when the client asks for nothing (docs/protocol.md "PATCH
 * answers"): a resource whose size is bounded (a user, a role, a device) with itself (Okta reads
 * the body); a group with 204, as Entra ID's guidance prefers, since a body with every member is
 * unbounded.
 */
const patchAnswersResource = (type: ResourceTypeName): boolean => type !== 'Group';

/** A resource as GET answers it: a group with members as streamed JSON text (group-stream.ts). */
function sendRead(reply: FastifyReply, result: ResourceResult | JsonResult): FastifyReply {
  return 'head' in result ? sendJson(reply, result) : sendResource(reply, 200, result);
}

/** 204 after a write: no body, the new ETag. */
function sendMinimal(reply: FastifyReply, version: number): FastifyReply {
  return reply.code(204).header('etag', etagOf(version)).send();
}

/**
 * GET, PUT, PATCH and DELETE of one resource (RFC 7644 §3.4.1, §3.5, §3.6), whose id `idOf`
 * finds: the path's `:id` on /Users/{id}, the authenticated subject's user on /Me (§3.11).
 * A Prefer the answer honours is named in Preference-Applied (RFC 7240 §3).
 */
export function resourceHandlers(config: Config, resources: ResourceService, type: ResourceTypeName, idOf: IdOf) {
  const attributeLimits = config.requestLimits.attributeList;
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
      return sendRead(reply, result);
    },
    /** RFC 7644 §3.5.1: 200 with the resource, or 204 with Prefer: return=minimal. */
    PUT: async (req: FastifyRequest, reply: FastifyReply) => {
      const request = req as WithId;
      const result = await resources.replace(
        scopeOf(config, request),
        type,
        await idOf(request),
        request.body,
        header(request, 'if-match'),
        selectionFromQuery(request.query, attributeLimits),
      );
      reportSkippedMembers(request, reply, result.skippedMembers);
      const preference = returnPreference(request);
      if (preference !== undefined) reply.header(PREFERENCE_APPLIED, `return=${preference}`);
      return preference === 'minimal' ? sendMinimal(reply, result.version) : sendResource(reply, 200, result);
    },
    /**
     * RFC 7644 §3.5.2 allows 200 with the resource or 204; one rule for every resource type
     * (docs/protocol.md "PATCH answers"): `Prefer: return=minimal` → 204; `return=representation`,
     * `attributes` or `excludedAttributes` → 200 with the resource as GET shows it, members
     * included and streamed; otherwise the type's default (PATCH_ANSWERS_RESOURCE). Never a 200
     * that leaves out a default attribute.
     */
    PATCH: async (req: FastifyRequest, reply: FastifyReply) => {
      const request = req as WithId;
      const scope = scopeOf(config, request);
      const id = await idOf(request);
      // Read before the write: a malformed `attributes` is 400 with nothing changed.
      const selection = selectionFromQuery(request.query, attributeLimits);
      const preference = returnPreference(request);
      const projected = selection.attributes !== undefined || selection.excludedAttributes !== undefined;
      const representation = preference === undefined ? projected || patchAnswersResource(type) : preference === 'representation';
      // A resource other than a group is answered from the write; a group's members are read after it.
      const outcome = await resources.patch(
        scope,
        type,
        id,
        request.body,
        header(request, 'if-match'),
        representation ? selection : undefined,
      );
      reportSkippedMembers(request, reply, outcome.skippedMembers);
      if (preference !== undefined) reply.header(PREFERENCE_APPLIED, `return=${preference}`);
      if (!representation) return sendMinimal(reply, outcome.version);
      return outcome.answer ? sendResource(reply, 200, outcome.answer) : sendRead(reply, await resources.read(scope, type, id, selection));
    },
    DELETE: async (req: FastifyRequest, reply: FastifyReply) => {
      const request = req as WithId;
      await resources.remove(scopeOf(config, request), type, await idOf(request), header(request, 'if-match'));
      return reply.code(204).send();
    },
  };
}

/**
 * RFC 7644 §3.2–§3.6 on the endpoint of every type the resource service serves (the catalogue's
 * built-in and generic types: /Users, /Groups, /Roles, /Entitlements, /Agents, /Devices), and
 * §3.4.3 POST /.search at every level. An optional type's endpoints answer only for tenants that
 * enabled it, and 404 as an unknown path for the others (requireEnabled).
 */
export function registerResourceRoutes(app: FastifyInstance, config: Config, resources: ResourceService, registries: RegistrySource): void {
  const attributeLimits = config.requestLimits.attributeList;

  for (const spec of RESOURCE_TYPES) {
    if (spec.storage === 'custom') continue;
    const type = spec.resourceType.name;
    const path = spec.resourceType.endpoint;
    const guarded = (handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
      spec.optional
        ? async (request: FastifyRequest, reply: FastifyReply) => {
            await requireEnabled(registries, scopeOf(config, request).tenantId, type, request);
            return handler(request, reply);
          }
        : handler;
    route(app, path, {
      GET: guarded(async (request, reply) =>
        sendScim(
          reply,
          await resources.list(scopeOf(config, request), [type], listParamsFromQuery(request.query as Query, attributeLimits)),
        ),
      ),
      POST: guarded(async (request, reply) => {
        const created = await resources.create(
          scopeOf(config, request),
          type,
          request.body,
          selectionFromQuery(request.query as Query, attributeLimits),
        );
        reportSkippedMembers(request, reply, created.skippedMembers);
        return sendResource(reply, 201, created);
      }),
    });
    route(app, `${path}/.search`, {
      POST: guarded(async (request, reply) =>
        sendScim(reply, await resources.list(scopeOf(config, request), [type], listParamsFromSearchRequest(request.body, attributeLimits))),
      ),
    });
    const handlers = resourceHandlers(config, resources, type, (request) => (request as WithId).params.id);
    route(app, `${path}/:id`, {
      GET: guarded(handlers.GET),
      PUT: guarded(handlers.PUT),
      PATCH: guarded(handlers.PATCH),
      DELETE: guarded(handlers.DELETE),
    });
  }
  // RFC 7644 §3.4.3: at the root, every resource type the tenant has.
  route(app, '/.search', {
    POST: async (request, reply) => {
      const scope = scopeOf(config, request);
      return sendScim(
        reply,
        await resources.list(scope, await resources.servedTypes(scope), listParamsFromSearchRequest(request.body, attributeLimits)),
      );
    },
  });
}
