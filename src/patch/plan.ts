import { ScimError } from '../errors/scim-error.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import type { MemberOp } from '../schema/resource.ts';
import type { DocumentEdit } from './document.ts';
import { memberOps } from './members.ts';
import type { PatchOperation } from './operation.ts';
import { passwordOf } from './password.ts';
import { editsOf, type TargetOptions } from './targets.ts';
import type { ValueRules } from './values.ts';

/** One operation resolved: its document edits in order, up to the error resolving it raised, if any. */
export interface PlannedOperation {
  readonly edits: readonly DocumentEdit[];
  /** What resolving the operation threw, after `edits`; applyPatch reports it at the operation's turn. */
  readonly failure?: ScimError;
}

/** A PATCH resolved against the resource type, before the resource is read. */
export interface PatchPlan {
  readonly operations: readonly PlannedOperation[];
  /** Group.members changes, in request order (the store applies them: schema/resource.ts MemberOp). */
  readonly memberOps: readonly MemberOp[];
  /** The new clear-text password when an operation sets one; the service hashes it. */
  readonly password: string | undefined;
  /** True when an operation cannot be resolved: applying the plan then fails, whatever the resource. */
  readonly fails: boolean;
  /** How applyPatch treats the values (the tenant's profile). */
  readonly rules: ValueRules;
}

export type PlanOptions = TargetOptions & ValueRules;

/**
 * RFC 7644 §3.5.2 operations (from {@link parsePatchRequest}) resolved against the resource type:
 * paths, member changes and the new password depend on the schema alone, so that the password is
 * hashed before the write's transaction and the document is edited inside it. An operation that
 * cannot be resolved is not refused here: applyPatch refuses it at its turn, after the errors of
 * the operations before it, and after a missing resource (404) or a stale If-Match (412): RFC 9110
 * §13.2.2 evaluates preconditions before the request content is processed.
 */
export function planPatch(
  registry: SchemaRegistry,
  resourceType: string,
  operations: readonly PatchOperation[],
  options: PlanOptions = {},
): PatchPlan {
  const planned: PlannedOperation[] = [];
  const ops: MemberOp[] = [];
  let password: string | undefined;
  for (const operation of operations) {
    const edits: DocumentEdit[] = [];
    try {
      for (const edit of editsOf(registry, resourceType, operation, options)) {
        if (edit.kind === 'document') edits.push(edit);
        else if (edit.kind === 'members') ops.push(...memberOps(registry, edit));
        else password = passwordOf(edit.op, edit.value, edit.label);
      }
    } catch (error) {
      if (!(error instanceof ScimError)) throw error;
      planned.push({ edits, failure: error });
      return { operations: planned, memberOps: ops, password, fails: true, rules: options };
    }
    planned.push({ edits });
  }
  return { operations: planned, memberOps: ops, password, fails: false, rules: options };
}
