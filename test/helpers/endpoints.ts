/**
 * Every HTTP endpoint of scimd, as one table that the tenant-isolation suite
 * (test/conformance/tenant-isolation.test.ts) and the fuzz suite (test/fuzz) both walk.
 *
 * Adding a SCIM endpoint is one entry in ENDPOINTS: say how to reach it, what body it takes (the
 * fuzzer generates hostile ones of that kind), and which requests made with tenant A's token aim
 * at tenant B's data (`crossTenant`). Both suites then cover it. /Bulk and /Me are entries here.
 * The admin API needs no entry: adminEndpoints() builds one per route from GET
 * /admin/openapi.json, which lists every route registered under /admin, so a new admin route is
 * fuzzed and checked against SCIM tokens without any change here.
 */
import { GROUP_SCHEMA, USER_SCHEMA } from './harness.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** What one tenant holds in the isolation and fuzz suites: ids, names and a secret marker. */
export interface TenantData {
  readonly userId: string;
  readonly userName: string;
  readonly externalId: string;
  readonly groupId: string;
  readonly groupName: string;
  /** A string found only in this tenant's resources; another tenant must never see it. */
  readonly marker: string;
  /** The tenant's name, as the admin API names it. */
  readonly tenant: string;
}

/** One request; `url` is below the SCIM base path unless the endpoint is `root`. */
export interface Probe {
  readonly method: Method;
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** The kind of body an endpoint reads: the fuzzer generates hostile bodies of that kind. */
export type BodyKind = 'none' | 'User' | 'Group' | 'patch' | 'search' | 'bulk' | 'json';

/** Who may call an endpoint: a tenant (static token or JWT), the operator (admin token), anyone. */
export type Caller = 'tenant' | 'admin' | 'anyone';

export interface Endpoint {
  /** As a reader would write it: `PATCH /Users/{id}`. */
  readonly name: string;
  readonly method: Method;
  /** `{id}` (any `{name}`) stands for a path parameter; the fuzzer fills it with real, foreign and hostile values. */
  readonly path: string;
  /** Served outside the SCIM base path (/healthz, /readyz, /metrics, /admin/…). */
  readonly root?: boolean;
  readonly caller: Caller;
  readonly body: BodyKind;
  /** For a 'json' body: the property names its schema declares, which the fuzzer fills with hostile values. */
  readonly fields?: readonly string[];
  /** Query parameters of its own (beyond the SCIM ones), which the fuzzer sends too. */
  readonly queryKeys?: readonly string[];
  /** RFC 7644 §3.11 lets /Me answer 501 to a token that names no user: the one 5xx allowed. */
  readonly mayBeNotImplemented?: boolean;
  /** Requests with tenant A's token that name tenant B's ids, values or members. */
  readonly crossTenant: (b: TenantData) => readonly Probe[];
}

const enc = encodeURIComponent;
const patchBody = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });
const search = (extra: Record<string, unknown>) => ({ schemas: [SEARCH_REQUEST], ...extra });
const bulk = (...operations: unknown[]): Probe => ({
  method: 'POST',
  url: '/Bulk',
  body: { schemas: [BULK_REQUEST], Operations: operations },
});

/** Filters that would match tenant B's resources if tenant scoping ever slipped. */
function foreignFilters(b: TenantData): string[] {
  return [
    `userName eq "${b.userName}"`,
    `id eq "${b.userId}" or id eq "${b.groupId}"`,
    `externalId eq "${b.externalId}"`,
    `displayName eq "${b.groupName}" or displayName co "${b.marker}"`,
    `members.value eq "${b.userId}"`,
    `members[value eq "${b.userId}"]`,
    `groups.value eq "${b.groupId}"`,
    `title co "${b.marker}" or nickName sw "${b.marker}"`,
    `emails[value co "${b.marker}"]`,
    `meta.created pr`,
  ];
}

/** Member references to tenant B's user: by id, by $ref, by both. */
function foreignMembers(b: TenantData): unknown[] {
  return [[{ value: b.userId }], [{ value: b.userId, $ref: `Users/${b.userId}` }], [{ value: b.groupId, type: 'Group' }]];
}

const USER_FROM_B = (b: TenantData) => ({ schemas: [USER_SCHEMA], userName: b.userName, externalId: b.externalId });
const GROUP_WITH_B_MEMBERS = (b: TenantData, members: unknown) => ({ schemas: [GROUP_SCHEMA], displayName: b.groupName, members });

/** GET/POST/PUT/PATCH/DELETE and .search of one resource type. */
function resourceEndpoints(plural: 'Users' | 'Groups', type: 'User' | 'Group'): Endpoint[] {
  const idOf = (b: TenantData) => (type === 'User' ? b.userId : b.groupId);
  const foreignBody = (b: TenantData) =>
    type === 'User' ? [USER_FROM_B(b)] : foreignMembers(b).map((members) => GROUP_WITH_B_MEMBERS(b, members));
  return [
    {
      name: `GET /${plural}`,
      method: 'GET',
      path: `/${plural}`,
      caller: 'tenant',
      body: 'none',
      crossTenant: (b) => [
        ...foreignFilters(b).map((f) => ({ method: 'GET' as const, url: `/${plural}?filter=${enc(f)}` })),
        { method: 'GET', url: `/${plural}?count=1000&attributes=members,groups,displayName,title` },
        { method: 'GET', url: `/${plural}?cursor=&count=1000` },
      ],
    },
    {
      name: `POST /${plural}`,
      method: 'POST',
      path: `/${plural}`,
      caller: 'tenant',
      body: type,
      crossTenant: (b) => foreignBody(b).map((body) => ({ method: 'POST' as const, url: `/${plural}`, body })),
    },
    {
      name: `POST /${plural}/.search`,
      method: 'POST',
      path: `/${plural}/.search`,
      caller: 'tenant',
      body: 'search',
      crossTenant: (b) =>
        foreignFilters(b).map((filter) => ({ method: 'POST' as const, url: `/${plural}/.search`, body: search({ filter, count: 1000 }) })),
    },
    {
      name: `GET /${plural}/{id}`,
      method: 'GET',
      path: `/${plural}/{id}`,
      caller: 'tenant',
      body: 'none',
      crossTenant: (b) => [
        { method: 'GET', url: `/${plural}/${idOf(b)}` },
        { method: 'GET', url: `/${plural}/${idOf(b)}?attributes=members,groups`, headers: { 'if-none-match': 'W/"1"' } },
      ],
    },
    {
      name: `PUT /${plural}/{id}`,
      method: 'PUT',
      path: `/${plural}/{id}`,
      caller: 'tenant',
      body: type,
      crossTenant: (b) => foreignBody(b).map((body) => ({ method: 'PUT' as const, url: `/${plural}/${idOf(b)}`, body })),
    },
    {
      name: `PATCH /${plural}/{id}`,
      method: 'PATCH',
      path: `/${plural}/{id}`,
      caller: 'tenant',
      body: 'patch',
      crossTenant: (b) => [
        { method: 'PATCH', url: `/${plural}/${idOf(b)}`, body: patchBody({ op: 'replace', path: 'displayName', value: 'taken over' }) },
        { method: 'PATCH', url: `/${plural}/${idOf(b)}`, body: patchBody({ op: 'remove', path: `members[value eq "${b.userId}"]` }) },
        { method: 'PATCH', url: `/${plural}/${idOf(b)}`, body: patchBody({ op: 'add', value: { active: false } }) },
      ],
    },
    {
      name: `DELETE /${plural}/{id}`,
      method: 'DELETE',
      path: `/${plural}/{id}`,
      caller: 'tenant',
      body: 'none',
      crossTenant: (b) => [
        { method: 'DELETE', url: `/${plural}/${idOf(b)}` },
        { method: 'DELETE', url: `/${plural}/${idOf(b)}`, headers: { 'if-match': '*' } },
      ],
    },
  ];
}

/**
 * RFC 7644 §3.7 BulkRequests with tenant A's token whose operations name tenant B's resources:
 * by path (exact, with a trailing slash, in upper case, under the other resource type), as
 * members, and mixed with bulkId references to resources the same request creates in A.
 * Every operation naming one of B's ids must fail (404), and B must stay unchanged.
 */
function bulkProbes(b: TenantData): Probe[] {
  const userOfB = `/Users/${b.userId}`;
  const groupOfB = `/Groups/${b.groupId}`;
  const takeOver = patchBody({ op: 'replace', path: 'displayName', value: 'taken over' });
  const group = (displayName: string, members: unknown) => ({ schemas: [GROUP_SCHEMA], displayName, members });
  return [
    bulk(
      { method: 'PUT', path: userOfB, data: USER_FROM_B(b) },
      // §3.7's own example: PATCH data without schemas.
      { method: 'PATCH', path: userOfB, data: { Operations: [{ op: 'replace', path: 'title', value: 'taken over' }] } },
      { method: 'PATCH', path: groupOfB, data: patchBody({ op: 'remove', path: 'members' }) },
      { method: 'PUT', path: groupOfB, data: group(b.groupName, []) },
      { method: 'DELETE', path: userOfB },
      { method: 'DELETE', path: groupOfB, version: '*' },
    ),
    bulk(
      ...[
        `${userOfB}/`,
        userOfB.toUpperCase().replace('/USERS/', '/Users/'),
        `/Groups/${b.userId}`,
        `/Users/${b.groupId}`,
        `${groupOfB}/`,
      ].flatMap((path) => [
        { method: 'PATCH', path, data: takeOver },
        { method: 'DELETE', path },
      ]),
    ),
    bulk(
      ...foreignMembers(b).map((members, i) => ({
        method: 'POST',
        bulkId: `foreign-members-${i}`,
        path: '/Groups',
        data: group(`bulk group ${i}`, members),
      })),
    ),
    bulk(
      { method: 'POST', bulkId: 'u', path: '/Users', data: { schemas: [USER_SCHEMA], userName: `bulk.${b.userName}` } },
      { method: 'POST', bulkId: 'g', path: '/Groups', data: group('bulk mixed', [{ value: 'bulkId:u' }]) },
      { method: 'POST', bulkId: 'mixed', path: '/Groups', data: group('bulk mixed with B', [{ value: 'bulkId:u' }, { value: b.userId }]) },
      { method: 'PATCH', path: groupOfB, data: patchBody({ op: 'add', path: 'members', value: [{ value: 'bulkId:u' }] }) },
      {
        method: 'PATCH',
        path: '/Groups/bulkId:g',
        data: patchBody({ op: 'add', path: 'members', value: [{ value: b.userId }, { value: b.groupId, type: 'Group' }] }),
      },
      {
        method: 'PUT',
        path: '/Groups/bulkId:g',
        data: group('bulk mixed', [{ value: 'bulkId:u' }, { value: b.userId, $ref: `Users/${b.userId}` }]),
      },
      { method: 'DELETE', path: '/Groups/bulkId:g' },
      { method: 'DELETE', path: '/Users/bulkId:u' },
    ),
  ];
}

/** RFC 7644 §3.11 /Me with the bodies a client would send there, naming tenant B's user. */
function meEndpoints(): Endpoint[] {
  const bodies: Record<Method, BodyKind> = { GET: 'none', DELETE: 'none', PUT: 'User', POST: 'User', PATCH: 'patch' };
  return (Object.keys(bodies) as Method[]).map((method) => ({
    name: `${method} /Me`,
    method,
    path: '/Me',
    caller: 'tenant',
    body: bodies[method],
    mayBeNotImplemented: true,
    crossTenant: (b) => {
      const body =
        bodies[method] === 'User'
          ? USER_FROM_B(b)
          : bodies[method] === 'patch'
            ? patchBody({ op: 'replace', path: 'title', value: 'taken over' })
            : undefined;
      return [{ method, url: '/Me', ...(body ? { body } : {}) }];
    },
  }));
}

/**
 * PATCH and PUT of tenant A's own resources that try to pull tenant B's users in as members:
 * the write must be refused or ignore them, and never reveal them.
 */
export function memberProbes(a: TenantData, b: TenantData): Probe[] {
  return [
    ...foreignMembers(b).map((value) => ({
      method: 'PATCH' as const,
      url: `/Groups/${a.groupId}?attributes=members`,
      body: patchBody({ op: 'add', path: 'members', value }),
    })),
    { method: 'PATCH', url: `/Groups/${a.groupId}`, body: patchBody({ op: 'remove', path: `members[value eq "${b.userId}"]` }) },
    { method: 'PATCH', url: `/Groups/${a.groupId}`, body: patchBody({ op: 'replace', path: 'members', value: [{ value: b.userId }] }) },
    ...foreignMembers(b).map((members) => ({
      method: 'PUT' as const,
      url: `/Groups/${a.groupId}`,
      body: { schemas: [GROUP_SCHEMA], displayName: a.groupName, members },
    })),
  ];
}

export const ENDPOINTS: readonly Endpoint[] = [
  ...resourceEndpoints('Users', 'User'),
  ...resourceEndpoints('Groups', 'Group'),
  {
    name: 'POST /.search',
    method: 'POST',
    path: '/.search',
    caller: 'tenant',
    body: 'search',
    crossTenant: (b) =>
      foreignFilters(b).map((filter) => ({ method: 'POST' as const, url: '/.search', body: search({ filter, count: 1000 }) })),
  },
  {
    name: 'POST /Bulk',
    method: 'POST',
    path: '/Bulk',
    caller: 'tenant',
    body: 'bulk',
    crossTenant: bulkProbes,
  },
  ...meEndpoints(),
  {
    name: 'GET /Events',
    method: 'GET',
    path: '/Events',
    caller: 'tenant',
    body: 'none',
    crossTenant: () => [
      { method: 'GET', url: '/Events?after=0&count=1000' },
      { method: 'GET', url: '/Events', headers: { 'last-event-id': '0' } },
    ],
  },
  ...(['/ServiceProviderConfig', '/Schemas', '/ResourceTypes', '/Schemas/{id}', '/ResourceTypes/{id}'] as const).map(
    (path): Endpoint => ({
      name: `GET ${path}`,
      method: 'GET',
      path,
      caller: 'tenant',
      body: 'none',
      crossTenant: (b) => [{ method: 'GET', url: path.replace('{id}', b.userId) }],
    }),
  ),
  ...(['/healthz', '/readyz', '/metrics'] as const).map(
    (path): Endpoint => ({
      name: `GET ${path}`,
      method: 'GET',
      path,
      root: true,
      caller: 'anyone',
      body: 'none',
      crossTenant: () => [{ method: 'GET', url: path }],
    }),
  ),
  // Methods a path does not allow (405 with Allow) and paths that do not exist (404).
  ...(
    [
      ['DELETE', '/Users'],
      ['PUT', '/Groups'],
      ['GET', '/.search'],
      ['POST', '/Users/{id}'],
      ['PATCH', '/ServiceProviderConfig'],
      ['GET', '/Nowhere/{id}'],
      ['POST', '/Users/{id}/.search'],
    ] as const
  ).map(
    ([method, path]): Endpoint => ({
      name: `${method} ${path} (not served)`,
      method,
      path,
      caller: 'tenant',
      body: method === 'GET' || method === 'DELETE' ? 'none' : 'User',
      crossTenant: (b) => [{ method, url: path.replace('{id}', b.userId) }],
    }),
  ),
];

/** The part of GET /admin/openapi.json that adminEndpoints reads. */
export interface AdminApiDocument {
  readonly paths: Record<
    string,
    Record<
      string,
      {
        readonly parameters?: readonly { readonly name: string; readonly in: string }[];
        readonly requestBody?: { readonly content: Record<string, { readonly schema: { readonly properties?: Record<string, unknown> } }> };
        /** `[]` on a public route (the document itself). */
        readonly security?: readonly unknown[];
      }
    >
  >;
}

/**
 * One entry per route of the admin API, from its OpenAPI document (generated from the routes
 * Fastify registered under /admin). Admin routes are deployment-wide, so their cross-tenant
 * probes are tenant B's name in every path parameter and body field, sent with a tenant's token:
 * no tenant token opens them.
 */
export function adminEndpoints(document: AdminApiDocument): Endpoint[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([verb, operation]): Endpoint => {
      const method = verb.toUpperCase() as Method;
      const body = operation.requestBody ? Object.values(operation.requestBody.content)[0] : undefined;
      const fields = Object.keys(body?.schema.properties ?? {});
      return {
        name: `${method} ${path}`,
        method,
        path,
        root: true,
        caller: operation.security?.length === 0 ? 'anyone' : 'admin',
        body: body ? 'json' : 'none',
        fields,
        queryKeys: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        crossTenant: (b) => [
          {
            method,
            url: path.replace(/\{[^}]+\}/g, b.tenant),
            ...(body ? { body: Object.fromEntries(fields.map((field) => [field, b.tenant])) } : {}),
          },
        ],
      };
    }),
  );
}
