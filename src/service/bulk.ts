import { ScimError } from '../errors/scim-error.ts';
import { GROUP_MEMBER_TYPE_NAME } from '../schema/types/group-member.ts';
import type { CreateCommand } from '../store/ports/resources.ts';
import { scheduleOperations } from './bulk/order.ts';
import { type BulkPlan, type ParsedOperation, parseBulkRequest } from './bulk/parse.ts';
import { resolveReferences } from './bulk/references.ts';
import { etagOf } from './etag.ts';
import type { GroupMemberService } from './group-members.ts';
import type { Selection } from './list-params.ts';
import { locationOf, type RequestScope, type ResourceResult } from './resource-view.ts';
import type { ResourceService } from './resources.ts';

export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** RFC 7644 §3.7.4, advertised in ServiceProviderConfig `bulk`. */
export interface BulkLimits {
  readonly maxOperations: number;
  /** Bytes; enforced on the request body by the HTTP layer. */
  readonly maxPayloadSize: number;
}

export interface BulkServiceDeps {
  readonly resources: ResourceService;
  /** /GroupMembers (draft-zollner-scim-group-members-01), served by code of its own. */
  readonly groupMembers: Pick<GroupMemberService, 'create' | 'remove'>;
  readonly limits: BulkLimits;
}

/** One processed operation of a BulkResponse: what it did, or the error that stopped it. */
export interface BulkOperationResult {
  readonly method: string | undefined;
  readonly bulkId: string | undefined;
  /** The resource's URL; absent only for a POST that created nothing. */
  readonly location: string | undefined;
  /** The resource's ETag after a successful POST, PUT or PATCH. */
  readonly version: string | undefined;
  /** 201, 200 or 204 on success; on failure the status travels in `error`. */
  readonly status: number | undefined;
  readonly error?: unknown;
  /** Member ids a successful group write skipped (ResourceResult.skippedMembers). */
  readonly skippedMembers?: readonly string[];
}

/** The bulk response reads only the id of what each operation wrote: no member lists reloaded. */
const ID_ONLY: Selection = { attributes: ['id'] };

/**
 * Consecutive creates that depend on no create still pending share one store transaction, each in
 * a savepoint of its own (ResourceService.createPrepared): committing is most of what a create
 * costs on SQLite, and 100 per commit keep a transaction, and the tenant's event counter lock
 * on PostgreSQL, short.
 */
const CREATES_PER_TRANSACTION = 100;

/**
 * RFC 7644 §3.7 on top of the resource service: every operation is the single request it stands
 * for (the same validation, its own resource rows and events committed together or not at all,
 * the same retries), in the client's order except where a forward bulkId reference requires the
 * referenced POST first. The request as a whole is not atomic, as the RFC allows: an operation
 * that fails changes nothing, the ones before it stay committed, and the ones after it still run
 * unless `failOnErrors` errors have been counted. A server-side failure (5xx) ends the request
 * too: when the database is unreachable, the remaining operations would only wait for it again.
 */
export function createBulkService(deps: BulkServiceDeps) {
  const { resources, groupMembers, limits } = deps;

  async function execute(scope: RequestScope, body: unknown): Promise<readonly BulkOperationResult[]> {
    const request = parseBulkRequest(body, limits.maxOperations);
    const { operations, definedBy } = request;
    const dependsOn = operations.map((op) => (op.plan ? [...op.plan.references].map((ref) => definedBy.get(ref)!) : []));
    const { order, cyclic } = scheduleOperations(dependsOn);
    const failOnErrors = request.failOnErrors ?? Infinity;
    const createdIds = new Map<string, string>();
    const results: Array<BulkOperationResult | undefined> = new Array(operations.length);
    let errors = 0;
    let stopped = false;
    const record = (index: number, result: BulkOperationResult) => {
      results[index] = result;
      if (result.error === undefined) return;
      errors++;
      const serverSide = !(result.error instanceof ScimError) || result.error.status >= 500;
      if (errors >= failOnErrors || serverSide) stopped = true;
    };

    let batch: PendingCreate[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const pending = batch;
      batch = [];
      let written: Array<ResourceResult | ScimError>;
      try {
        written = await resources.createPrepared(
          scope,
          pending.map((p) => p.command),
          ID_ONLY,
          failOnErrors - errors,
        );
      } catch (error) {
        // The whole transaction rolled back: none of them was created.
        for (const p of pending) record(p.index, failure(p.op, undefined, error));
        return;
      }
      written.forEach((w, k) => {
        const { index, op, bulkId } = pending[k]!;
        if (w instanceof ScimError) return record(index, failure(op, undefined, w));
        createdIds.set(bulkId, String(w.resource['id']));
        record(index, success(op, w.location, etagOf(w.version), 201, w.skippedMembers));
      });
    };

    for (const index of order) {
      if (stopped) break;
      const op = operations[index]!;
      // A reference to a create still waiting in the batch resolves once the batch is written.
      if (op.plan && !resolvedIn(op.plan, createdIds) && batch.length > 0) {
        await flush();
        if (stopped) break;
      }
      const check = runnable(op, cyclic.get(index), operations, createdIds, definedBy);
      if ('error' in check) {
        // Its failure counts after the creates before it, as if they had run one by one.
        await flush();
        if (stopped) break;
        record(index, failure(op, op.plan && locationIn(scope, op.plan, createdIds), check.error));
        continue;
      }
      const plan = check.plan;
      if (plan.type === GROUP_MEMBER_TYPE_NAME) {
        await flush();
        if (stopped) break;
        record(index, await membership(scope, op, plan, createdIds));
        continue;
      }
      if (plan.method === 'POST') {
        let command: CreateCommand;
        try {
          command = await resources.prepareCreate(scope, plan.type, resolve(plan.data, plan.references, createdIds));
        } catch (error) {
          await flush();
          if (!stopped) record(index, failure(op, undefined, error));
          continue;
        }
        batch.push({ index, op, bulkId: plan.bulkId, command });
        if (batch.length >= CREATES_PER_TRANSACTION) await flush();
        continue;
      }
      await flush();
      if (stopped) break;
      record(index, await write(scope, op, plan, createdIds));
    }
    await flush();
    // In the client's order, whatever order they ran in; operations never reached are left out.
    return results.filter((r): r is BulkOperationResult => r !== undefined);
  }

  /** A PUT, PATCH or DELETE whose references are all resolved: the single request it stands for. */
  async function write(
    scope: RequestScope,
    op: ParsedOperation,
    plan: UpdatePlan,
    createdIds: ReadonlyMap<string, string>,
  ): Promise<BulkOperationResult> {
    const id = plan.resource.kind === 'id' ? plan.resource.id : createdIds.get(plan.resource.bulkId)!;
    const location = locationOf(scope, plan.type, id);
    try {
      if (plan.method === 'DELETE') {
        await resources.remove(scope, plan.type, id, plan.version);
        return success(op, location, undefined, 204);
      }
      const data = resolve(plan.data, plan.references, createdIds);
      const updated =
        plan.method === 'PUT'
          ? await resources.replace(scope, plan.type, id, data, plan.version, ID_ONLY)
          : await resources.patch(scope, plan.type, id, data, plan.version);
      return success(op, updated.location, etagOf(updated.version), 200, updated.skippedMembers);
    } catch (error) {
      return failure(op, location, error);
    }
  }

  /**
   * An operation on /GroupMembers: the POST or DELETE it stands for (draft §6.1, §6.3), a
   * membership's id standing for its bulkId as a resource's does; a membership is never changed,
   * so a PUT or PATCH is 405, as at the endpoint.
   */
  async function membership(
    scope: RequestScope,
    op: ParsedOperation,
    plan: BulkPlan,
    createdIds: Map<string, string>,
  ): Promise<BulkOperationResult> {
    if (plan.method === 'POST') {
      try {
        const created = await groupMembers.create(scope, resolve(plan.data, plan.references, createdIds), ID_ONLY);
        createdIds.set(plan.bulkId, String(created.resource['id']));
        return success(op, created.location, undefined, 201);
      } catch (error) {
        return failure(op, undefined, error);
      }
    }
    const location = locationIn(scope, plan, createdIds);
    try {
      if (plan.method !== 'DELETE') {
        throw new ScimError(
          405,
          undefined,
          `a ${GROUP_MEMBER_TYPE_NAME} is created or deleted, never changed: ${plan.method} is not allowed`,
        );
      }
      await groupMembers.remove(scope, plan.resource.kind === 'id' ? plan.resource.id : createdIds.get(plan.resource.bulkId)!);
      return success(op, location!, undefined, 204);
    } catch (error) {
      return failure(op, location, error);
    }
  }

  return { execute, limits };
}

/** A create validated and waiting for its batch's transaction. */
interface PendingCreate {
  readonly index: number;
  readonly op: ParsedOperation;
  readonly bulkId: string;
  readonly command: CreateCommand;
}

type UpdatePlan = Exclude<BulkPlan, { readonly method: 'POST' }>;

/** The plan of an operation that can run now, or why it cannot: malformed, on a cycle, or referring to a failed POST. */
function runnable(
  op: ParsedOperation,
  cycle: readonly number[] | undefined,
  operations: readonly ParsedOperation[],
  createdIds: ReadonlyMap<string, string>,
  definedBy: ReadonlyMap<string, number>,
): { plan: BulkPlan } | { error: unknown } {
  if (!op.plan) return { error: op.error };
  if (cycle) return { error: circular(operations, cycle) };
  const unresolved = [...op.plan.references].find((ref) => !createdIds.has(ref));
  if (unresolved === undefined) return { plan: op.plan };
  const detail = `"bulkId:${unresolved}" cannot be resolved: Operations[${definedBy.get(unresolved)}], which defines it, failed`;
  return { error: new ScimError(409, undefined, detail) };
}

function resolvedIn(plan: BulkPlan, createdIds: ReadonlyMap<string, string>): boolean {
  return [...plan.references].every((ref) => createdIds.has(ref));
}

/** The URL of the resource a PUT, PATCH or DELETE names, when its id is known. */
function locationIn(scope: RequestScope, plan: BulkPlan, createdIds: ReadonlyMap<string, string>): string | undefined {
  if (plan.method === 'POST') return undefined;
  const id = plan.resource.kind === 'id' ? plan.resource.id : createdIds.get(plan.resource.bulkId);
  return id === undefined ? undefined : locationOf(scope, plan.type, id);
}

/** `data` with its bulkId references replaced by the ids their POSTs created (all resolved by now). */
function resolve<T>(data: T, references: ReadonlySet<string>, createdIds: ReadonlyMap<string, string>): T {
  return references.size > 0 ? (resolveReferences(data, (ref) => createdIds.get(ref)!) as T) : data;
}

/**
 * RFC 7644 §3.7.1 lets a service provider that cannot resolve circular references answer 409.
 * Breaking a cycle would mean creating a resource without its reference and adding it in a
 * second write: two commits and two events for one operation, which a client never asked for.
 */
function circular(operations: readonly ParsedOperation[], cycle: readonly number[]): ScimError {
  const names = cycle.map((i) => `Operations[${i}] (bulkId "${operations[i]!.bulkId}")`).join(', ');
  return new ScimError(409, undefined, `circular bulkId references between ${names}: none of them can be created first (RFC 7644 §3.7.1)`);
}

function success(
  op: ParsedOperation,
  location: string,
  version: string | undefined,
  status: number,
  skippedMembers?: readonly string[],
): BulkOperationResult {
  return { method: op.method, bulkId: op.bulkId, location, version, status, ...(skippedMembers ? { skippedMembers } : {}) };
}

function failure(op: ParsedOperation, location: string | undefined, error: unknown): BulkOperationResult {
  return { method: op.method, bulkId: op.bulkId, location, version: undefined, status: undefined, error };
}

export type BulkService = ReturnType<typeof createBulkService>;
