import { invalidPath } from '../errors/scim-error.ts';
import { assertNever, type ResolvedFilter } from '../filter/ast.ts';
import type { AttributeDefinition } from '../schema/attribute.ts';
import { memberInputs } from '../schema/members.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import type { MemberOp } from '../schema/resource.ts';
import type { PatchOpName } from './operation.ts';

/** One operation on Group.members, which live in the membership table and never in the document. */
export interface MembersEdit {
  readonly op: PatchOpName;
  readonly attribute: AttributeDefinition;
  readonly filter: ResolvedFilter | undefined;
  readonly value: unknown;
  readonly label: string;
}

/**
 * The ids a members filter names, when it is `value eq "id"` comparisons joined by `or`. The
 * document holds no members to evaluate other filters against, and the store is not reachable
 * from this pure module, so `members[type eq "User"]` cannot be answered here.
 */
function memberIds(filter: ResolvedFilter): string[] | undefined {
  switch (filter.kind) {
    case 'compare':
      return filter.op === 'eq' && filter.attr.subAttribute?.name === 'value' && filter.value.type === 'string'
        ? [filter.value.value]
        : undefined;
    case 'or': {
      const left = memberIds(filter.left);
      const right = memberIds(filter.right);
      return left === undefined || right === undefined ? undefined : [...left, ...right];
    }
    case 'and':
    case 'not':
    case 'present':
    case 'valuePath':
      return undefined;
    default:
      return assertNever(filter);
  }
}

/**
 * RFC 7644 §3.5.2 on Group.members as membership changes, O(changed members): add → add;
 * remove `members[value eq "id" or …]` → remove those; remove `members` with a value list
 * (Entra without aadOptscim062020) → remove those only; remove `members` alone → removeAll;
 * replace → removeAll then add.
 */
export function memberOps(registry: SchemaRegistry, edit: MembersEdit): MemberOp[] {
  if (edit.filter !== undefined) {
    if (edit.op !== 'remove') {
      throw invalidPath(`"${edit.label}": a members filter is supported with "remove" only; add members with path "members"`);
    }
    const ids = memberIds(edit.filter);
    if (ids === undefined) {
      throw invalidPath(`"${edit.label}": members can be selected only by value, e.g. members[value eq "id"] (several joined by "or")`);
    }
    return [{ kind: 'remove', values: [...new Set(ids)] }];
  }
  switch (edit.op) {
    case 'add': {
      const members = memberInputs(registry, edit.attribute, edit.value, edit.label);
      return members.length > 0 ? [{ kind: 'add', members }] : [];
    }
    case 'remove': {
      if (edit.value === undefined || edit.value === null) return [{ kind: 'removeAll' }];
      const values = memberInputs(registry, edit.attribute, edit.value, edit.label).map((m) => m.value);
      return values.length > 0 ? [{ kind: 'remove', values }] : [];
    }
    case 'replace': {
      const members = memberInputs(registry, edit.attribute, edit.value, edit.label);
      return members.length > 0 ? [{ kind: 'removeAll' }, { kind: 'add', members }] : [{ kind: 'removeAll' }];
    }
    default:
      return assertNever(edit.op);
  }
}
