import type { FastifyRequest } from 'fastify';
import { ScimError } from '../errors/scim-error.ts';
import type { RegistrySource } from '../service/schema-registries.ts';

/** The answer to a path no route serves (the not-found handler's): also a disabled type's endpoint's. */
export function noSuchEndpoint(request: Pick<FastifyRequest, 'method' | 'url'>): ScimError {
  return new ScimError(404, undefined, `no such endpoint: ${request.method} ${request.url.split('?')[0]}`);
}

/**
 * The endpoints of an optional resource type exist for the tenants that enabled it
 * (docs/resource-types.md): for the others they answer 404 exactly as an unknown path does.
 * Called first by every handler of such an endpoint, with the request's tenant.
 */
export async function requireEnabled(
  registries: RegistrySource,
  tenantId: string,
  type: string,
  request: Pick<FastifyRequest, 'method' | 'url'>,
): Promise<void> {
  if (!(await registries.forTenant(tenantId)).resourceType(type)) throw noSuchEndpoint(request);
}
