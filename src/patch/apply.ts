import { cloneJson } from '../schema/json.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import type { MemberOp } from '../schema/resource.ts';
import { changedAttributes } from './diff.ts';
import { editDocument } from './document.ts';
import { checkImmutable } from './immutable.ts';
import { atOperation } from './locate.ts';
import type { PatchPlan } from './plan.ts';

/** What a PATCH produced; nothing is persisted yet. */
export interface PatchResult {
  /** The new document, in the stored canonical form (never id, schemas, meta, password, members, groups). */
  readonly doc: Record<string, unknown>;
  /** The new clear-text password when an operation set one; the service hashes it. */
  readonly password: string | undefined;
  /** Group.members changes, in request order (the store applies them: schema/resource.ts MemberOp). */
  readonly memberOps: readonly MemberOp[];
  /**
   * Canonical top-level attribute paths that changed: `name`, `emails`,
   * `urn:…:enterprise:2.0:User:manager`, plus `members` when there are member operations and
   * `password` when one was set (whether the store's membership really changed is its to say).
   */
  readonly changedAttributes: string[];
}

/**
 * Applies a planned RFC 7644 §3.5.2 PATCH ({@link planPatch}) in order to a copy of a stored
 * document; the input is never mutated, and an error (a ScimError, its detail prefixed with
 * `Operations[i]`) leaves nothing applied. Mutability is enforced here (readOnly targets, required
 * removal, immutable changes); whole-resource rules (required attributes, uniqueness) remain the
 * validator's and the store's, run on the result.
 */
export function applyPatch(
  registry: SchemaRegistry,
  resourceType: string,
  doc: Readonly<Record<string, unknown>>,
  plan: PatchPlan,
): PatchResult {
  const next = cloneJson(doc) as Record<string, unknown>;
  plan.operations.forEach((operation, index) =>
    atOperation(index, () => {
      for (const edit of operation.edits) editDocument(registry, next, edit, plan.rules);
      if (operation.failure) throw operation.failure;
      checkImmutable(registry, resourceType, doc, next);
    }),
  );
  const changed = changedAttributes(registry, resourceType, doc, next);
  if (plan.memberOps.length > 0) changed.push('members');
  if (plan.password !== undefined) changed.push('password');
  return { doc: next, password: plan.password, memberOps: plan.memberOps, changedAttributes: changed };
}
