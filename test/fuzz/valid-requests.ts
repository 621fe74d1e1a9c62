/**
 * A valid request for each endpoint of test/helpers/endpoints.ts, built from the schemas
 * (from-schemas.ts): the right method, credentials and content type, a body of the endpoint's
 * kind, valid query parameters, ids the tenant has. Ids that only exist once the run has created
 * them (a resource to DELETE, a token to rotate) are placeholders, `{created:Users}`, resolved
 * when the request is sent (see `Pools`).
 */
import fc from 'fast-check';
import type { AdminApiDocument, Endpoint } from '../helpers/endpoints.ts';
import {
  bulkBody,
  fromJsonSchema,
  type JsonSchema,
  listQuery,
  patchBody,
  resourceBody,
  searchBody,
  selectionQuery,
  validFilter,
  type World,
} from './from-schemas.ts';

export interface ValidRequest {
  readonly method: string;
  /** Below the SCIM base path unless the endpoint is served at the root; may hold placeholders. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

export interface Credentials {
  /** Tenant A's static token, a JWT of A's /Me user, the admin token. */
  readonly token: string;
  readonly jwt: string;
  readonly admin: string;
}

export interface Seeds {
  /** The userName of the user `Credentials.jwt` names: /Me's user, in no pool, never renamed. */
  readonly meUserName: string;
  /** The tenant the admin API may change at will. */
  readonly scratchTenant: string;
  /** An extension schema URN the admin routes may name. */
  readonly schemaId: string;
}

/**
 * The tenant's resources, tenants and tokens that valid requests may name, kept up to date as the
 * run creates and deletes them (a hostile request may delete one too): `{any:Users}` in a
 * generated request names one of them when it is sent, `{created:Users}` takes one away to
 * delete it (never the last one).
 */
export class Pools {
  readonly #pools = new Map<string, string[]>();
  #turn = 0;

  add(kind: string, value: string): void {
    let list = this.#pools.get(kind);
    if (!list) this.#pools.set(kind, (list = []));
    list.push(value);
  }

  resolve(text: string): string {
    return text.replace(/\{(created|any):(\w+)\}/g, (_, how: string, kind: string) => {
      const list = this.#pools.get(kind) ?? [];
      // Round robin, not random: a seed replays the same choices.
      const value = how === 'created' ? (list.length > 1 ? list.pop() : undefined) : list[this.#turn++ % Math.max(1, list.length)];
      return value ?? 'none-created-yet';
    });
  }

  /**
   * Follows what a request created (201: the id, or a tenant's name) and deleted (204; 200 from the
   * admin API), the operations of a BulkResponse included: a user a Bulk DELETE removed, still
   * named by later requests, made every one of them a 404 that never reached a handler.
   */
  record(method: string, path: string, status: number, body: string): void {
    if (method === 'POST' && status === 200 && path.endsWith('/Bulk')) {
      const operations = (JSON.parse(body) as { Operations?: { method?: string; location?: string; status?: string }[] }).Operations ?? [];
      for (const op of operations) {
        if (op.method === undefined || op.location === undefined || op.status === undefined) continue;
        const where = new URL(op.location, 'http://scimd.invalid').pathname;
        const kind = /\/(Users|Groups)\/[^/]+$/.exec(where)?.[1];
        if (op.method === 'DELETE') this.record('DELETE', where, Number(op.status), '');
        else if (op.method === 'POST' && op.status === '201' && kind) this.add(kind, where.slice(where.lastIndexOf('/') + 1));
      }
      return;
    }
    if (method === 'DELETE' && (status === 204 || status === 200)) {
      const gone = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
      for (const list of this.#pools.values()) if (list.includes(gone)) list.splice(list.indexOf(gone), 1);
      return;
    }
    if (method !== 'POST' || status !== 201) return;
    const created = JSON.parse(body) as { id?: string; name?: string };
    const kind =
      /\/(Users|Groups)$/.exec(path)?.[1] ?? (/\/admin\/tenants$/.test(path) ? 'tenants' : /\/tokens$/.test(path) ? 'tokens' : undefined);
    const value = kind === 'tenants' ? created.name : created.id;
    if (kind && value) this.add(kind, value);
  }
}

const json = (value: unknown) => JSON.stringify(value);

/** The admin API's route schemas, by `METHOD path`, for bodies and query parameters. */
function adminSchemas(document: AdminApiDocument) {
  const out = new Map<string, { body?: JsonSchema; query: Record<string, JsonSchema> }>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [verb, operation] of Object.entries(operations)) {
      const content = operation.requestBody ? Object.values(operation.requestBody.content)[0] : undefined;
      const query = Object.fromEntries(
        (operation.parameters ?? [])
          .filter((p) => p.in === 'query')
          .map((p) => [p.name, ((p as { schema?: JsonSchema }).schema ?? {}) as JsonSchema]),
      );
      out.set(`${verb.toUpperCase()} ${path}`, { ...(content ? { body: content.schema as JsonSchema } : {}), query });
    }
  }
  return out;
}

/**
 * The valid request generator of `endpoint`, or undefined where no valid request exists (a
 * method the path does not serve) or where one would end the run's own footing (DELETE /Me
 * deletes the user its JWT names).
 */
export function validRequest(
  endpoint: Endpoint,
  world: World,
  seeds: Seeds,
  credentials: Credentials,
  admin: AdminApiDocument,
): fc.Arbitrary<ValidRequest> | undefined {
  const scim = (method: string, path: fc.Arbitrary<string>, body?: fc.Arbitrary<unknown>, token = credentials.token) =>
    fc.tuple(path, body ?? fc.constant(undefined), fc.constantFrom(undefined, 'return=representation', 'return=minimal')).map(
      ([p, b, prefer]): ValidRequest => ({
        method,
        path: p,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/scim+json',
          ...(b !== undefined ? { 'content-type': 'application/scim+json' } : {}),
          ...(prefer && method !== 'GET' ? { prefer } : {}),
        },
        body: b === undefined ? undefined : json(b),
      }),
    );
  const path = (base: string, query: fc.Arbitrary<string> = fc.constant('')) => query.map((q) => `${base}${q}`);
  const typed = /^\/(Users|Groups)/.exec(endpoint.path)?.[1];
  const kind = typed === 'Groups' ? 'Group' : 'User';
  const own = `{any:${typed}}`;

  if (endpoint.name.endsWith('(not served)')) return undefined;
  if (endpoint.caller === 'anyone' && endpoint.method === 'GET' && !endpoint.path.startsWith('/admin/')) {
    return fc.constant({ method: 'GET', path: endpoint.path, headers: {}, body: undefined });
  }
  if (endpoint.path.startsWith('/admin/')) return adminRequest(endpoint, seeds, credentials, adminSchemas(admin));
  switch (endpoint.name) {
    case 'GET /Users':
    case 'GET /Groups':
      return scim('GET', path(endpoint.path, listQuery(kind, world)));
    case 'POST /Users':
    case 'POST /Groups':
      return scim('POST', path(endpoint.path, selectionQuery(kind, world)), resourceBody(kind, world));
    case 'POST /Users/.search':
    case 'POST /Groups/.search':
      return scim('POST', fc.constant(endpoint.path), searchBody(kind, world));
    case 'POST /.search':
      return scim(
        'POST',
        fc.constant('/.search'),
        fc
          .record(
            { filter: validFilter('User', world), startIndex: fc.integer({ min: 1, max: 5 }), count: fc.integer({ min: 0, max: 20 }) },
            { requiredKeys: [] },
          )
          .map((p) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], ...p })),
      );
    case 'GET /Users/{id}':
    case 'GET /Groups/{id}':
      return scim('GET', path(`/${typed}/${own}`, selectionQuery(kind, world)));
    case 'PUT /Users/{id}':
    case 'PUT /Groups/{id}':
      return scim('PUT', path(`/${typed}/${own}`, selectionQuery(kind, world)), resourceBody(kind, world));
    case 'PATCH /Users/{id}':
    case 'PATCH /Groups/{id}':
      return scim('PATCH', path(`/${typed}/${own}`, selectionQuery(kind, world)), patchBody(kind, world));
    case 'DELETE /Users/{id}':
    case 'DELETE /Groups/{id}':
      return scim('DELETE', fc.constant(`/${typed}/{created:${typed}}`));
    case 'POST /Bulk':
      return scim('POST', fc.constant('/Bulk'), bulkBody(world));
    case 'GET /Me':
      return scim('GET', path('/Me', selectionQuery('User', world)), undefined, credentials.jwt);
    case 'PUT /Me':
      return scim('PUT', fc.constant('/Me'), resourceBody('User', world, seeds.meUserName), credentials.jwt);
    case 'PATCH /Me':
      return scim('PATCH', fc.constant('/Me'), patchBody('User', world), credentials.jwt);
    case 'POST /Me':
      return scim('POST', fc.constant('/Me'), resourceBody('User', world), credentials.jwt);
    case 'GET /Events':
      return scim(
        'GET',
        fc
          .record({ after: fc.integer({ min: 0, max: 5 }), count: fc.integer({ min: 1, max: 50 }) })
          .map((q) => `/Events?after=${q.after}&count=${q.count}`),
      );
    case 'GET /ServiceProviderConfig':
    case 'GET /Schemas':
    case 'GET /ResourceTypes':
      return scim('GET', fc.constant(endpoint.path));
    case 'GET /Schemas/{id}':
      return scim('GET', fc.constantFrom(...world.schemas.map((s) => `/Schemas/${s.id}`)));
    case 'GET /ResourceTypes/{id}':
      return scim('GET', fc.constantFrom('/ResourceTypes/User', '/ResourceTypes/Group'));
    default:
      return undefined;
  }
}

/** An admin route with the admin token, its path parameters naming what the run may change, a body from its schema. */
function adminRequest(
  endpoint: Endpoint,
  seeds: Seeds,
  credentials: Credentials,
  schemas: ReturnType<typeof adminSchemas>,
): fc.Arbitrary<ValidRequest> | undefined {
  const route = schemas.get(`${endpoint.method} ${endpoint.path}`);
  if (!route) return undefined;
  // Schema routes with no declared body take a document this generator does not build.
  if (endpoint.method !== 'GET' && endpoint.method !== 'DELETE' && !route.body && !/\/(disable|enable)$/.test(endpoint.path))
    return undefined;
  const deletes = endpoint.method === 'DELETE';
  const parameters: Record<string, string> = {
    name: deletes && endpoint.path === '/admin/tenants/{name}' ? '{created:tenants}' : seeds.scratchTenant,
    id: deletes ? '{created:tokens}' : '{any:tokens}',
    schemaId: seeds.schemaId,
    attribute: 'title',
  };
  const url = endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => parameters[name] ?? name);
  const query =
    Object.keys(route.query).length === 0
      ? fc.constant('')
      : (fromJsonSchema({ type: 'object', properties: route.query }) as fc.Arbitrary<Record<string, unknown>>).map((q) => {
          // `tenant` filters by a tenant's name: the scratch one; times are ISO 8601.
          const fixed: Record<string, unknown> = { ...q, ...('tenant' in q ? { tenant: seeds.scratchTenant } : {}) };
          for (const key of ['since', 'until']) if (key in fixed) fixed[key] = new Date(Date.now() - 3600_000).toISOString();
          const text = new URLSearchParams(Object.entries(fixed).map(([k, v]): [string, string] => [k, String(v)])).toString();
          return text === '' ? '' : `?${text}`;
        });
  const body = route.body
    ? fromJsonSchema(route.body, {
        name: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 8, maxLength: 8 }).map((h) => `fz-${h}`),
      }).map(json)
    : fc.constant(undefined);
  return fc.tuple(query, body).map(([q, b]) => ({
    method: endpoint.method,
    path: `${url}${q}`,
    headers: { authorization: `Bearer ${credentials.admin}`, ...(b !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: b,
  }));
}
