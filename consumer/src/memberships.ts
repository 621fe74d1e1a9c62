import type { Edge } from './model.ts';

/** scimd refuses chains deeper than this (docs/nested-groups.md); a walk never goes further. */
const MAX_DEPTH = 10;

/**
 * A user's groups from the direct edges, as `GET /Users/{id}` shows them: `direct` for the groups
 * it is a member of, `indirect` for the groups reached through nested groups.
 */
export function groupsOf(edges: readonly Edge[], userId: string): { value: string; type: 'direct' | 'indirect' }[] {
  const parents = new Map<string, string[]>();
  for (const e of edges) {
    let list = parents.get(e.member);
    if (!list) parents.set(e.member, (list = []));
    list.push(e.group);
  }
  const found = new Map<string, 'direct' | 'indirect'>();
  for (const g of parents.get(userId) ?? []) found.set(g, 'direct');
  let frontier = [...found.keys()];
  for (let depth = 1; depth < MAX_DEPTH && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const g of frontier) {
      for (const parent of parents.get(g) ?? []) {
        if (found.has(parent)) continue;
        found.set(parent, 'indirect');
        next.push(parent);
      }
    }
    frontier = next;
  }
  return [...found].map(([value, type]) => ({ value, type }));
}

/** Everyone under a group (transitively): the users a permission on the group reaches. */
export function usersUnder(edges: readonly Edge[], groupId: string): string[] {
  const children = new Map<string, Edge[]>();
  for (const e of edges) {
    let list = children.get(e.group);
    if (!list) children.set(e.group, (list = []));
    list.push(e);
  }
  const users = new Set<string>();
  const seen = new Set([groupId]);
  let frontier = [groupId];
  for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const g of frontier) {
      for (const e of children.get(g) ?? []) {
        if (e.memberKind === 'User') users.add(e.member);
        else if (!seen.has(e.member)) {
          seen.add(e.member);
          next.push(e.member);
        }
      }
    }
    frontier = next;
  }
  return [...users];
}
