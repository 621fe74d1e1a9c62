import { invalidSyntax, invalidValue, payloadTooLarge, ScimError } from '../../errors/scim-error.ts';
import { PATCH_OP_SCHEMA } from '../../patch/operation.ts';
import { pick } from '../../patch/parse.ts';
import { isJsonObject } from '../../schema/json.ts';
import { type ResourceTypeName, resourceTypeOf } from '../../schema/resource.ts';
import { endpointOf } from '../../schema/types/catalogue.ts';
import { BULK_ID_PREFIX, referencesIn } from './references.ts';

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

const BULK_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The resource a PUT, PATCH or DELETE acts on: by id, or by the bulkId of a POST of this request. */
export type BulkResourceRef = { readonly kind: 'id'; readonly id: string } | { readonly kind: 'bulkId'; readonly bulkId: string };

interface PlanCommon {
  readonly type: ResourceTypeName;
  /** The operation's `version`: an If-Match for PUT, PATCH and DELETE. */
  readonly version: string | undefined;
  /** The bulkIds it refers to, in `data` and in `path`; it runs after the POSTs that define them. */
  readonly references: ReadonlySet<string>;
}

/** A well-formed operation, ready to run once the bulkIds it refers to are resolved. */
export type BulkPlan =
  | (PlanCommon & { readonly method: 'POST'; readonly bulkId: string; readonly data: Record<string, unknown> })
  | (PlanCommon & { readonly method: 'PUT' | 'PATCH'; readonly resource: BulkResourceRef; readonly data: Record<string, unknown> })
  | (PlanCommon & { readonly method: 'DELETE'; readonly resource: BulkResourceRef });

export interface ParsedOperation {
  /** The operation's `method` as written (upper case when it is one of the four), echoed back. */
  readonly method: string | undefined;
  readonly bulkId: string | undefined;
  /** Either a plan, or the error that stops this operation before it runs. */
  readonly plan?: BulkPlan;
  readonly error?: ScimError;
}

export interface ParsedBulkRequest {
  readonly failOnErrors: number | undefined;
  readonly operations: readonly ParsedOperation[];
  /** bulkId → the index of the POST that defines it (well-formed or not). */
  readonly definedBy: ReadonlyMap<string, number>;
}

/**
 * Checks an RFC 7644 §3.7 BulkRequest. A malformed request as a whole is one error (400, or 413
 * above maxOperations, §3.7.4); a malformed operation is that operation's error alone, reported
 * in its place of the BulkResponse while the others run.
 */
export function parseBulkRequest(body: unknown, maxOperations: number): ParsedBulkRequest {
  if (!isJsonObject(body)) throw invalidSyntax('the BulkRequest must be a JSON object');
  const { schemas, failOnErrors, Operations: operations } = pick(body, ['schemas', 'failOnErrors', 'Operations'], 'the BulkRequest');
  const wanted = BULK_REQUEST_SCHEMA.toLowerCase();
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === wanted)) {
    throw invalidSyntax(`"schemas" must contain "${BULK_REQUEST_SCHEMA}"`);
  }
  if (failOnErrors !== undefined && failOnErrors !== null && !(Number.isInteger(failOnErrors) && (failOnErrors as number) >= 1)) {
    throw invalidValue(`"failOnErrors" must be a whole number of at least 1, got ${JSON.stringify(failOnErrors)}`);
  }
  if (!Array.isArray(operations) || operations.length === 0) throw invalidSyntax('"Operations" must be a non-empty array');
  if (operations.length > maxOperations) {
    throw payloadTooLarge(`the bulk request has ${operations.length} operations, more than maxOperations (${maxOperations})`);
  }
  const { checked, definedBy } = checkBulkIds(operations.map((raw, i) => parseOperation(raw, i)));
  return { failOnErrors: typeof failOnErrors === 'number' ? failOnErrors : undefined, operations: checked, definedBy };
}

function parseOperation(raw: unknown, index: number): ParsedOperation {
  if (!isJsonObject(raw)) return failed(undefined, undefined, invalidSyntax(`Operations[${index}] must be a JSON object`));
  let fields: Partial<Record<'method' | 'bulkId' | 'version' | 'path' | 'data', unknown>>;
  try {
    fields = pick(raw, ['method', 'bulkId', 'version', 'path', 'data'], `Operations[${index}]`);
  } catch (error) {
    if (error instanceof ScimError) return failed(undefined, undefined, error);
    throw error;
  }
  const method = typeof fields.method === 'string' ? BULK_METHODS.find((m) => m === (fields.method as string).toUpperCase()) : undefined;
  const bulkId = typeof fields.bulkId === 'string' ? fields.bulkId : undefined;
  const fail = (error: ScimError) => failed(method ?? (typeof fields.method === 'string' ? fields.method : undefined), bulkId, error);

  if (method === undefined)
    return fail(invalidValue(`"method" must be POST, PUT, PATCH or DELETE, got ${JSON.stringify(fields.method) ?? 'nothing'}`));
  if (fields.bulkId !== undefined && (bulkId === undefined || bulkId === '' || bulkId.includes('"'))) {
    return fail(invalidValue('"bulkId" must be a non-empty string without double quotes'));
  }
  if (fields.version !== undefined && typeof fields.version !== 'string')
    return fail(invalidSyntax('"version" must be a string (an ETag)'));
  if (typeof fields.path !== 'string') return fail(invalidSyntax('"path" must be a string such as "/Users" or "/Groups/{id}"'));
  const target = targetOf(fields.path);
  if (target === undefined)
    return fail(invalidValue(`"path" must be "/Users", "/Groups", "/Users/{id}" or "/Groups/{id}", got ${JSON.stringify(fields.path)}`));
  const { type, resource } = target;
  const common = { type, version: fields.version as string | undefined };
  const data = isJsonObject(fields.data) ? fields.data : undefined;
  const noData = () => fail(invalidSyntax(`a ${method} operation needs a JSON object "data"`));

  if (method === 'POST') {
    if (bulkId === undefined) return fail(invalidValue('a POST operation needs a "bulkId" (RFC 7644 §3.7)'));
    if (resource !== undefined)
      return fail(
        invalidValue(`a POST "path" names a resource type endpoint ("/${endpointOf(type)}"), got ${JSON.stringify(fields.path)}`),
      );
    if (data === undefined) return noData();
    return { method, bulkId, plan: { ...common, method, bulkId, data, references: referencesIn(data) } };
  }
  if (resource === undefined)
    return fail(invalidValue(`a ${method} "path" names one resource ("/${endpointOf(type)}/{id}"), got ${JSON.stringify(fields.path)}`));
  const pathReferences = resource.kind === 'bulkId' ? [resource.bulkId] : [];
  if (method === 'DELETE') return { method, bulkId, plan: { ...common, method, resource, references: new Set(pathReferences) } };
  if (data === undefined) return noData();
  const body = method === 'PATCH' ? withPatchSchema(data) : data;
  return {
    method,
    bulkId,
    plan: { ...common, method, resource, data: body, references: new Set([...referencesIn(body), ...pathReferences]) },
  };
}

/**
 * RFC 7644 §3.7's own PATCH example sends `data` without `schemas` (errata 5050 added it): a bulk
 * PATCH without `schemas` is read as a PatchOp, while one that names other schemas stays an error.
 */
function withPatchSchema(data: Record<string, unknown>): Record<string, unknown> {
  return Object.keys(data).some((key) => key.toLowerCase() === 'schemas') ? data : { schemas: [PATCH_OP_SCHEMA], ...data };
}

/** The resource type a path names, and the resource when it names one; undefined when it names neither. */
function targetOf(path: string): { type: ResourceTypeName; resource: BulkResourceRef | undefined } | undefined {
  const match = /^\/([^/?#]+)(?:\/([^/?#]+))?\/?$/.exec(path);
  const type = match ? resourceTypeOf(match[1]!) : undefined;
  if (!match || type === undefined) return undefined;
  const segment = match[2];
  if (segment === undefined) return { type, resource: undefined };
  if (segment.startsWith(BULK_ID_PREFIX) && segment.length > BULK_ID_PREFIX.length) {
    return { type, resource: { kind: 'bulkId', bulkId: segment.slice(BULK_ID_PREFIX.length) } };
  }
  return { type, resource: { kind: 'id', id: segment } };
}

/**
 * A bulkId is defined by the first POST that carries it, even a malformed one (whose dependents
 * then fail as dependents of a failed operation); a later POST with the same bulkId, and an
 * operation referring to a bulkId that no POST carries, cannot run.
 */
function checkBulkIds(operations: readonly ParsedOperation[]): { checked: ParsedOperation[]; definedBy: Map<string, number> } {
  const definedBy = new Map<string, number>();
  const unique = operations.map((op, index) => {
    if (op.method !== 'POST' || op.bulkId === undefined) return op;
    if (definedBy.has(op.bulkId)) {
      return failed(op.method, op.bulkId, invalidValue(`bulkId "${op.bulkId}" is already used by Operations[${definedBy.get(op.bulkId)}]`));
    }
    definedBy.set(op.bulkId, index);
    return op;
  });
  const checked = unique.map((op) => {
    const unknown = op.plan ? [...op.plan.references].find((ref) => !definedBy.has(ref)) : undefined;
    if (unknown === undefined) return op;
    return failed(op.method, op.bulkId, invalidValue(`"bulkId:${unknown}" refers to no POST of this request`));
  });
  return { checked, definedBy };
}

function failed(method: string | undefined, bulkId: string | undefined, error: ScimError): ParsedOperation {
  return { method, bulkId, error };
}
