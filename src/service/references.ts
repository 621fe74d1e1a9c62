import { invalidValue } from '../errors/scim-error.ts';
import { fold } from '../filter/fold.ts';
import { DEFAULT_FILTER_LIMITS, RFC_FILTER_SYNTAX } from '../filter/parser.ts';
import type { SchemaRegistry } from '../schema/registry.ts';
import type { ResourceTypeName } from '../schema/resource.ts';
import { endpointOf, specOf } from '../schema/types/catalogue.ts';
import type { ResourceStore } from '../store/ports/resources.ts';
import { queryTargets } from './resource-list.ts';

/**
 * References by value to the resources of an optional type (draft-ietf-scim-roles-entitlements-01:
 * a user's `roles` and `entitlements` hold values the tenant's /Roles and /Entitlements publish).
 * Where the tenant enabled the referenced type, a write may add only a value one of its resources
 * has, unless that resource says `supported: false`; a value the resource held before stays
 * (a role deleted later does not block every other change of its users). Where the tenant has
 * not enabled it, any value goes, as RFC 7643 §4.1.2 allows.
 */
export interface ReferenceRule {
  /** The referring attribute (`roles`), in the core schema. */
  readonly attribute: string;
  readonly resourceType: ResourceTypeName;
  /** The values its resources publish, folded (values compare without case, as `value` does). */
  readonly allowed: ReadonlySet<string>;
  /**
   * The values with `limitedAssignmentsPermitted` and a `totalAssignmentsPermitted`, folded: how
   * many resources of the writing type may hold each, and how many do (counted as the write
   * began: two writes racing for the last place may both take it).
   */
  readonly limits: ReadonlyMap<string, { readonly permitted: number; readonly used: number }>;
}

/** Most resources of a referenced type a tenant's rules read: the draft's lists are short. */
const MAX_REFERENCED = 10_000;

/** The rules of a write of `type` in a tenant; [] (and no query) when the tenant enabled none of the referenced types. */
export async function referenceRules(
  store: Pick<ResourceStore, 'query'>,
  registry: SchemaRegistry,
  tenantId: string,
  type: ResourceTypeName,
): Promise<ReferenceRule[]> {
  const rules: ReferenceRule[] = [];
  for (const ref of specOf(type)?.references ?? []) {
    const target = specOf(ref.resourceType);
    if (target?.storage !== 'generic' || target.indexed === undefined || !registry.resourceType(ref.resourceType)) continue;
    const page = await store.query(tenantId, {
      targets: [{ resourceType: ref.resourceType }],
      descending: false,
      page: { kind: 'index', startIndex: 1, count: MAX_REFERENCED },
      include: {},
    });
    const allowed = new Set<string>();
    const limits = new Map<string, { permitted: number; used: number }>();
    for (const resource of page.resources) {
      const value = resource.doc[target.indexed];
      if (typeof value !== 'string' || resource.doc['supported'] === false) continue;
      allowed.add(fold(value));
      const permitted = resource.doc['totalAssignmentsPermitted'];
      if (resource.doc['limitedAssignmentsPermitted'] === true && typeof permitted === 'number') {
        const filter = `${ref.attribute}.value eq ${JSON.stringify(value)}`;
        const targets = queryTargets(registry, [type], { filter, sortBy: undefined }, undefined, DEFAULT_FILTER_LIMITS, RFC_FILTER_SYNTAX);
        const holders = await store.query(tenantId, {
          targets,
          descending: false,
          page: { kind: 'index', startIndex: 1, count: 0 },
          include: {},
        });
        limits.set(fold(value), { permitted, used: holders.totalResults ?? 0 });
      }
    }
    rules.push({ attribute: ref.attribute, resourceType: ref.resourceType, allowed, limits });
  }
  return rules;
}

const valuesOf = (doc: Readonly<Record<string, unknown>> | undefined, attribute: string): string[] => {
  const elements = doc?.[attribute];
  if (!Array.isArray(elements)) return [];
  return elements.flatMap((e) =>
    typeof e === 'object' && e !== null && typeof (e as { value?: unknown }).value === 'string' ? [(e as { value: string }).value] : [],
  );
};

/** 400 invalidValue for a value `doc` adds (one `before` did not hold) that no resource of the referenced type publishes. */
export function checkReferences(
  rules: readonly ReferenceRule[],
  doc: Readonly<Record<string, unknown>>,
  before?: Readonly<Record<string, unknown>>,
): void {
  for (const rule of rules) {
    const held = new Set(valuesOf(before, rule.attribute).map(fold));
    for (const value of valuesOf(doc, rule.attribute)) {
      const key = fold(value);
      if (held.has(key)) continue;
      const limit = rule.limits.get(key);
      if (limit && limit.used >= limit.permitted) {
        throw invalidValue(
          `${rule.attribute}: ${JSON.stringify(value)} may be held by ${limit.permitted} resources (its ${rule.resourceType}'s totalAssignmentsPermitted), and ${limit.used} hold it`,
        );
      }
      if (rule.allowed.has(key)) continue;
      throw invalidValue(
        `${rule.attribute}: ${JSON.stringify(value)} is not the value of a supported ${rule.resourceType} of this tenant (GET /${endpointOf(rule.resourceType)} lists them)`,
      );
    }
  }
}
