import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';
import type { DeltaService } from '../../service/delta.ts';
import { route } from '../method-router.ts';
import { scopeOf } from '../request-context.ts';
import { sendScim } from '../scim-reply.ts';

/**
 * draft-sehgal-scim-delta-query-02 (docs/delta-query.md): GET [prefix]/.deltaToken and
 * POST [prefix]/.delta at the root (every type the tenant has) and on /Users and /Groups; and GET /Events/position, the
 * tenant's latest event position, where a consumer's snapshot starts.
 */
export function registerDeltaRoutes(app: FastifyInstance, config: Config, delta: DeltaService): void {
  // The root covers every type the tenant has (undefined: the delta service asks which).
  const prefixes: ReadonlyArray<readonly [string, readonly ResourceTypeName[] | undefined]> = [
    ['', undefined],
    ['/Users', ['User']],
    ['/Groups', ['Group']],
  ];
  for (const [prefix, types] of prefixes) {
    route(app, `${prefix}/.deltaToken`, {
      GET: async (request, reply) => sendScim(reply, await delta.token(scopeOf(config, request))),
    });
    route(app, `${prefix}/.delta`, {
      POST: async (request, reply) => sendScim(reply, await delta.query(scopeOf(config, request), types, request.body)),
    });
  }
  route(app, '/Events/position', {
    GET: async (request, reply) =>
      reply
        .code(200)
        .type('application/json; charset=utf-8')
        .send({ sequence: await delta.position(scopeOf(config, request)) }),
  });
}
