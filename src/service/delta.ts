import { createHash } from 'node:crypto';
import { expiredDeltaToken, invalidValue } from '../errors/scim-error.ts';
import { type AttributeListLimits, DEFAULT_ATTRIBUTE_LIST_LIMITS } from '../schema/project.ts';
import { type ResourceEndpoint, type ResourceTypeName, resourceTypeOf } from '../schema/resource.ts';
import { endpointOf } from '../schema/types/catalogue.ts';
import type { ChangeLogStore } from '../store/ports/change-log.ts';
import { decodeCursor, encodeCursor, queryFingerprint } from './cursor.ts';
import { listParamsFromMessage, requestMessage } from './list-params.ts';
import { LIST_RESPONSE_SCHEMA, type ListLimits } from './resource-list.ts';
import type { RequestScope } from './resource-view.ts';
import type { ResourceService } from './resources.ts';

/** draft-sehgal-scim-delta-query-02 §4.2, §5.1, §5.2: the message schemas. */
export const DELTA_TOKEN_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:delta:token';
export const DELTA_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:delta:request';
export const DELTA_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:delta:response';

export interface DeltaServiceDeps {
  readonly store: ChangeLogStore;
  readonly resources: ResourceService;
  readonly clock: () => Date;
  readonly limits: ListLimits;
  /** SCIMD_EVENT_RETENTION: how long the outbox keeps delivered events, hence how far back a token reaches. */
  readonly retentionSeconds: number;
  readonly attributeLimits?: AttributeListLimits;
}

/**
 * A delta token: the tenant's event position, when it was issued, and a fingerprint of the tenant
 * (a token of another tenant is refused rather than read against this one's positions). Opaque
 * base64url with a checksum: unreserved characters only, as the draft asks.
 */
interface TokenPayload {
  readonly v: 1;
  readonly p: number;
  readonly t: number;
  readonly h: string;
}

const tenantMark = (tenantId: string) => createHash('sha256').update(`scimd-delta:${tenantId}`).digest('base64url').slice(0, 10);
const checksum = (body: string) => createHash('sha256').update(`scimd-delta-token:${body}`).digest('base64url').slice(0, 8);

function encodeToken(tenantId: string, position: number, now: Date): string {
  const payload: TokenPayload = { v: 1, p: position, t: Math.floor(now.getTime() / 1000), h: tenantMark(tenantId) };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${checksum(body)}`;
}

function decodeToken(tenantId: string, token: string): number {
  const [body, sum, extra] = token.split('.');
  const refuse = () =>
    invalidValue('the deltaToken is not one this service provider issued (use the value of a nextDeltaToken or of GET /.deltaToken)');
  if (!body || !sum || extra !== undefined || checksum(body) !== sum) throw refuse();
  let payload: TokenPayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
  } catch {
    throw refuse();
  }
  if (payload.v !== 1 || !Number.isSafeInteger(payload.p) || payload.p < 0) throw refuse();
  if (payload.h !== tenantMark(tenantId)) throw invalidValue('the deltaToken was issued to another tenant');
  return payload.p;
}

/** One changed resource of a page: its id, type, and whether its first change in the range created it. */
interface Changed {
  readonly id: string;
  readonly resourceType: ResourceTypeName;
  readonly created: boolean;
}

/**
 * Delta queries (draft-sehgal-scim-delta-query-02; docs/delta-query.md), read from the outbox:
 * a token is a tenant event position; a query answers the resources that events after it touched,
 * each once, in the order of their first change, with their current state (or as deleted).
 */
export function createDeltaService(deps: DeltaServiceDeps) {
  const { store, resources, clock, limits } = deps;
  const attributeLimits = deps.attributeLimits ?? DEFAULT_ATTRIBUTE_LIST_LIMITS;

  function tokenMessage(tenantId: string, position: number) {
    const now = clock();
    return {
      value: encodeToken(tenantId, position, now),
      // The next event is made now or later and kept at least the retention after it was made.
      expiry: new Date(now.getTime() + deps.retentionSeconds * 1000).toISOString(),
    };
  }

  /** GET [prefix]/.deltaToken (§4.2): a token for the tenant's latest event position. */
  async function token(scope: RequestScope) {
    return { schemas: [DELTA_TOKEN_SCHEMA], ...tokenMessage(scope.tenantId, await store.latestSequence(scope.tenantId)) };
  }

  /**
   * The resources changed after `after` up to `upTo` whose first change comes after `from` (at
   * most `count`), and where the next page starts; `done` when the range is exhausted.
   */
  async function collect(
    tenantId: string,
    after: number,
    from: number,
    upTo: number,
    count: number,
    endpoint: ResourceEndpoint | undefined,
    types: readonly ResourceTypeName[],
  ) {
    const page: Changed[] = [];
    // One more than the page: whether another page follows.
    const batch = count + 1;
    let position = from;
    for (;;) {
      const rows = await store.firstChanges(tenantId, after, position, upTo, batch, endpoint);
      for (const row of rows) {
        const [segment, id] = row.subject.split('/') as [string, string];
        const resourceType = resourceTypeOf(segment);
        // Of the types queried: at the root, those the tenant has (a disabled type's changes are not in it).
        if (resourceType !== undefined && types.includes(resourceType)) {
          if (page.length === count) return { page, next: position, done: false };
          page.push({ id, resourceType, created: row.type.endsWith('.created') });
        }
        position = row.sequence;
      }
      if (rows.length < batch) return { page, next: upTo, done: true };
    }
  }

  /**
   * POST [prefix]/.delta (§5.1): the page of changes after the request's deltaToken, of `types`,
   * or at the root (undefined) of every type the tenant has.
   */
  async function query(scope: RequestScope, only: readonly ResourceTypeName[] | undefined, body: unknown) {
    const request = requestMessage(body, DELTA_REQUEST_SCHEMA, 'delta query request');
    const deltaToken = request['deltaToken'];
    if (typeof deltaToken !== 'string' || deltaToken === '') throw invalidValue('a delta query request needs a deltaToken (a string)');
    const params = listParamsFromMessage(request, attributeLimits);
    if (params.sortBy !== undefined)
      throw invalidValue('sortBy is not supported in a delta query: changes come in the order they were made');
    if (params.startIndex !== undefined) throw invalidValue('a delta query pages with cursor and count (RFC 9865), not startIndex');
    const after = decodeToken(scope.tenantId, deltaToken);
    const types = only ?? (await resources.servedTypes(scope));
    const endpoint = only?.length === 1 ? endpointOf(only[0]!) : undefined;
    const count = Math.min(Math.max(params.count ?? limits.defaultPageSize, 1), limits.maxResults);
    const fingerprint = queryFingerprint(['delta', types, deltaToken, params.filter]);
    const now = clock();

    // A walk is pinned to the position of its first page (upTo): later changes wait for the next token.
    let upTo: number;
    let from: number;
    let totalResults: number;
    if (params.cursor !== undefined && params.cursor !== '') {
      const decoded = decodeCursor(params.cursor, fingerprint, now, limits.cursorTimeoutSeconds);
      upTo = Number(decoded.key.sortValue);
      from = decoded.key.rowKey;
      totalResults = decoded.totalResults;
    } else {
      upTo = await store.latestSequence(scope.tenantId);
      if (after > upTo) throw invalidValue('the deltaToken names a position this tenant has not reached');
      const counted = await store.countChanges(scope.tenantId, after, upTo, endpoint);
      if (counted.events < upTo - after) {
        throw expiredDeltaToken(
          `the changes after this deltaToken are no longer kept (events are kept ${deps.retentionSeconds} s): ` +
            'start over with a full query after GET /.deltaToken',
        );
      }
      from = after;
      totalResults = counted.resources;
    }

    const { page, next, done } = await collect(scope.tenantId, after, from, upTo, count, endpoint, types);
    const wrapped = await currentState(scope, types, page, params);
    const response: Record<string, unknown> = {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults,
      itemsPerPage: wrapped.length,
    };
    if (done) response['nextDeltaToken'] = tokenMessage(scope.tenantId, upTo);
    else response['nextCursor'] = encodeCursor('after', { sortValue: upTo, rowKey: next }, totalResults, fingerprint, now);
    response['Resources'] = wrapped;
    return response;
  }

  /**
   * The delta query responses (§5.2) of a page: a resource that exists is its current
   * representation (if it matches the request's filter), one that does not is a Delete. One list
   * of the queried types: at the root, a filter that names attributes of some types only narrows
   * those, and the others' changes are left out (RFC 7644 §3.4.3, as the root /.search does).
   */
  async function currentState(
    scope: RequestScope,
    types: readonly ResourceTypeName[],
    page: readonly Changed[],
    params: ReturnType<typeof listParamsFromMessage>,
  ) {
    const found = new Map<string, Record<string, unknown>>();
    const exists = new Set<string>();
    const ids = page.map((c) => c.id);
    if (ids.length > 0) {
      const list = { ...params, count: ids.length, startIndex: 1, cursor: undefined, sortBy: undefined, descending: false };
      const matching = (await resources.list(scope, types, list, ids))['Resources'] as Record<string, unknown>[];
      for (const r of matching) found.set(r['id'] as string, r);
      // A resource that no longer matches the filter still exists: it is left out, not deleted.
      const all =
        params.filter === undefined
          ? matching
          : ((await resources.list(scope, types, { ...list, filter: undefined, attributes: ['id'], excludedAttributes: undefined }, ids))[
              'Resources'
            ] as Record<string, unknown>[]);
      for (const r of all) exists.add(r['id'] as string);
    }
    return page.flatMap((c) => {
      const base = { schemas: [DELTA_RESPONSE_SCHEMA], changedResourceId: c.id, resourceType: c.resourceType };
      if (!exists.has(c.id)) return [{ ...base, changeType: 'Delete' }];
      const data = found.get(c.id);
      return data ? [{ ...base, changeType: c.created ? 'Create' : 'Update', data }] : [];
    });
  }

  /** The tenant's latest event position (GET /Events/position): where a consumer's snapshot starts. */
  async function position(scope: RequestScope): Promise<number> {
    return store.latestSequence(scope.tenantId);
  }

  return { token, query, position };
}

export type DeltaService = ReturnType<typeof createDeltaService>;
