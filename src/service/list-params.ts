import { quoteInput } from '../errors/quote.ts';
import { badRequest, invalidCount, invalidSyntax, invalidValue } from '../errors/scim-error.ts';
import { type AttributeListLimits, DEFAULT_ATTRIBUTE_LIST_LIMITS, parseAttributeList } from '../schema/project.ts';

/** RFC 7644 §3.4.2 query parameters, as sent by GET or by a POST .search body (§3.4.3). */
export interface ListParams {
  readonly filter: string | undefined;
  readonly sortBy: string | undefined;
  readonly descending: boolean;
  readonly startIndex: number | undefined;
  readonly count: number | undefined;
  readonly cursor: string | undefined;
  readonly attributes: readonly string[] | undefined;
  readonly excludedAttributes: readonly string[] | undefined;
}

export interface Selection {
  readonly attributes?: readonly string[] | undefined;
  readonly excludedAttributes?: readonly string[] | undefined;
}

export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

function integerParam(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    if (name === 'count') throw invalidCount(`count must be an integer, got ${quoteInput(raw)}`);
    throw invalidValue(`${name} must be an integer, got ${quoteInput(raw)}`);
  }
  return value;
}

function stringParam(name: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw invalidValue(`${name} must be a string`);
  return raw;
}

function sortOrder(raw: unknown): boolean {
  const order = stringParam('sortOrder', raw);
  if (order === undefined || order === '') return false;
  const lowered = order.toLowerCase();
  if (lowered !== 'ascending' && lowered !== 'descending') {
    throw invalidValue(`sortOrder must be "ascending" or "descending", got "${order}"`);
  }
  return lowered === 'descending';
}

function attributeList(name: string, raw: unknown, limits: AttributeListLimits): readonly string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string') return parseAttributeList(raw, limits);
  if (Array.isArray(raw) && raw.every((a) => typeof a === 'string')) return parseAttributeList(raw.join(','), limits);
  throw invalidValue(`${name} must be a list of attribute names`);
}

function listParams(source: Readonly<Record<string, unknown>>, limits: AttributeListLimits): ListParams {
  return {
    filter: stringParam('filter', source['filter']),
    sortBy: stringParam('sortBy', source['sortBy']) || undefined,
    descending: sortOrder(source['sortOrder']),
    startIndex: integerParam('startIndex', source['startIndex']),
    count: integerParam('count', source['count']),
    cursor: stringParam('cursor', source['cursor']),
    ...selection(source, limits),
  };
}

/** Query parameters of GET /Users, /Groups (strings; repeated parameters are refused). */
export function listParamsFromQuery(
  query: Readonly<Record<string, unknown>>,
  limits: AttributeListLimits = DEFAULT_ATTRIBUTE_LIST_LIMITS,
): ListParams {
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) throw badRequest(`query parameter "${key}" may appear only once`);
  }
  return listParams(query, limits);
}

/** The body of POST /.search (RFC 7644 §3.4.3), same meaning as the query parameters. */
export function listParamsFromSearchRequest(body: unknown, limits: AttributeListLimits = DEFAULT_ATTRIBUTE_LIST_LIMITS): ListParams {
  return listParams(requestMessage(body, SEARCH_REQUEST_SCHEMA, 'SearchRequest'), limits);
}

/** A request body that must be a JSON object listing `schema` (case-insensitively) in `schemas`. */
export function requestMessage(body: unknown, schema: string, name: string): Readonly<Record<string, unknown>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidSyntax(`a ${name} body must be a JSON object`);
  }
  const request = body as Record<string, unknown>;
  const schemas = request['schemas'];
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === schema.toLowerCase())) {
    throw invalidValue(`a ${name} must list the schema ${schema}`);
  }
  return request;
}

/** The SearchRequest attributes of a request message (a delta query's, draft-sehgal-scim-delta-query-02 §5.1). */
export function listParamsFromMessage(request: Readonly<Record<string, unknown>>, limits: AttributeListLimits): ListParams {
  return listParams(request, limits);
}

/** attributes / excludedAttributes of a request that returns one resource (GET, POST, PUT, PATCH). */
export function selectionFromQuery(
  query: Readonly<Record<string, unknown>>,
  limits: AttributeListLimits = DEFAULT_ATTRIBUTE_LIST_LIMITS,
): Selection {
  return selection(query, limits);
}

function selection(source: Readonly<Record<string, unknown>>, limits: AttributeListLimits) {
  return {
    attributes: attributeList('attributes', source['attributes'], limits),
    excludedAttributes: attributeList('excludedAttributes', source['excludedAttributes'], limits),
  };
}
