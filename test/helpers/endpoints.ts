/**
 * Every HTTP endpoint of scimd, as one table that the tenant-isolation suite
 * (test/conformance/tenant-isolation.test.ts) and the fuzz suite (test/fuzz) both walk.
 *
 * Adding an endpoint is one entry here: say how to reach it, what body it takes (the fuzzer
 * generates hostile ones of that kind), and which requests made with tenant A's token aim at
 * tenant B's data (`crossTenant`). Both suites then cover it. /Bulk, /Me and the /admin API are
 * added here when they land.
 */
import { GROUP_SCHEMA, USER_SCHEMA } from './harness.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** What one tenant holds in the isolation and fuzz suites: ids, names and a secret marker. */
export interface TenantData {
  readonly userId: string;
  readonly userName: string;
  readonly externalId: string;
  readonly groupId: string;
  readonly groupName: string;
  /** A string found only in this tenant's resources; another tenant must never see it. */
  readonly marker: string;
}

/** One request; `url` is below the SCIM base path unless the endpoint is `root`. */
export interface Probe {
  readonly method: Method;
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** The kind of body an endpoint reads: the fuzzer generates hostile bodies of that kind. */
export type BodyKind = 'none' | 'User' | 'Group' | 'patch' | 'search';

export interface Endpoint {
  /** As a reader would write it: `PATCH /Users/{id}`. */
  readonly name: string;
  readonly method: Method;
  /** `{id}` stands for a resource id; the fuzzer fills it with real, foreign and hostile ids. */
  readonly path: string;
  /** Served outside the SCIM base path (/healthz, /readyz, /metrics). */
  readonly root?: boolean;
  /** Needs a tenant's bearer token. */
  readonly authenticated: boolean;
  readonly body: BodyKind;
  /** Requests with tenant A's token that name tenant B's ids, values or members. */
  readonly crossTenant: (b: TenantData) => readonly Probe[];
}

const enc = encodeURIComponent;
const patchBody = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });
const search = (extra: Record<string, unknown>) => ({ schemas: [SEARCH_REQUEST], ...extra });

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
  return [
    [{ value: b.userId }],
    [{ value: b.userId, $ref: `Users/${b.userId}` }],
    [{ value: b.groupId, type: 'Group' }],
  ];
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
      authenticated: true,
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
      authenticated: true,
      body: type,
      crossTenant: (b) => foreignBody(b).map((body) => ({ method: 'POST' as const, url: `/${plural}`, body })),
    },
    {
      name: `POST /${plural}/.search`,
      method: 'POST',
      path: `/${plural}/.search`,
      authenticated: true,
      body: 'search',
      crossTenant: (b) => foreignFilters(b).map((filter) => ({ method: 'POST' as const, url: `/${plural}/.search`, body: search({ filter, count: 1000 }) })),
    },
    {
      name: `GET /${plural}/{id}`,
      method: 'GET',
      path: `/${plural}/{id}`,
      authenticated: true,
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
      authenticated: true,
      body: type,
      crossTenant: (b) => foreignBody(b).map((body) => ({ method: 'PUT' as const, url: `/${plural}/${idOf(b)}`, body })),
    },
    {
      name: `PATCH /${plural}/{id}`,
      method: 'PATCH',
      path: `/${plural}/{id}`,
      authenticated: true,
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
      authenticated: true,
      body: 'none',
      crossTenant: (b) => [
        { method: 'DELETE', url: `/${plural}/${idOf(b)}` },
        { method: 'DELETE', url: `/${plural}/${idOf(b)}`, headers: { 'if-match': '*' } },
      ],
    },
  ];
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
    ...foreignMembers(b).map((members) => ({ method: 'PUT' as const, url: `/Groups/${a.groupId}`, body: { schemas: [GROUP_SCHEMA], displayName: a.groupName, members } })),
  ];
}

export const ENDPOINTS: readonly Endpoint[] = [
  ...resourceEndpoints('Users', 'User'),
  ...resourceEndpoints('Groups', 'Group'),
  {
    name: 'POST /.search',
    method: 'POST',
    path: '/.search',
    authenticated: true,
    body: 'search',
    crossTenant: (b) => foreignFilters(b).map((filter) => ({ method: 'POST' as const, url: '/.search', body: search({ filter, count: 1000 }) })),
  },
  {
    name: 'GET /Events',
    method: 'GET',
    path: '/Events',
    authenticated: true,
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
      authenticated: true,
      body: 'none',
      crossTenant: (b) => [{ method: 'GET', url: path.replace('{id}', b.userId) }],
    }),
  ),
  ...(['/healthz', '/readyz', '/metrics'] as const).map(
    (path): Endpoint => ({ name: `GET ${path}`, method: 'GET', path, root: true, authenticated: false, body: 'none', crossTenant: () => [{ method: 'GET', url: path }] }),
  ),
  // Methods a path does not allow (405 with Allow) and paths that do not exist (404).
  ...([
    ['DELETE', '/Users'],
    ['PUT', '/Groups'],
    ['GET', '/.search'],
    ['POST', '/Users/{id}'],
    ['PATCH', '/ServiceProviderConfig'],
    ['GET', '/Nowhere/{id}'],
    ['POST', '/Users/{id}/.search'],
  ] as const).map(
    ([method, path]): Endpoint => ({
      name: `${method} ${path} (not served)`,
      method,
      path,
      authenticated: true,
      body: method === 'GET' || method === 'DELETE' ? 'none' : 'User',
      crossTenant: (b) => [{ method, url: path.replace('{id}', b.userId) }],
    }),
  ),
];
