import { fold } from '../../filter/fold.ts';
import type { StoredResource } from '../../schema/resource.ts';
import { specOf } from '../../schema/types/catalogue.ts';
import type { CountSpec } from '../../schema/types/spec.ts';
import { join, sql } from './fragment.ts';
import { type Plan, rows } from './run.ts';
import { indexedAttribute } from './values-index.ts';

/**
 * The counted attributes of resources as read (ResourceTypeSpec.counts: a role's
 * totalAssignmentsUsed, draft-ietf-scim-roles-entitlements-01 §3.2), from the values index: one
 * statement per counted attribute for a whole page, grouped by value, so a list of roles costs
 * what one role does. A resource that does not qualify (`when` is not true) shows no count, even
 * one stored before the attribute was counted: a number nobody keeps up to date is never shown.
 */
/** Whether any resource's type counts an attribute (most reads: none, and no plan is needed). */
export const hasCounts = (resources: readonly StoredResource[]): boolean =>
  resources.some((r) => (specOf(r.resourceType)?.counts?.length ?? 0) > 0);

export function* withCounts(tenantId: string, resources: readonly StoredResource[]): Plan<StoredResource[]> {
  let out = [...resources];
  for (const type of new Set(resources.map((r) => r.resourceType))) {
    const spec = specOf(type);
    for (const count of spec?.counts ?? []) {
      const key = keyOf(count);
      const countedKey = (r: StoredResource) => {
        const value = r.doc[spec!.indexed!];
        return r.resourceType === type && r.doc[count.when] === true && typeof value === 'string' ? key(value) : undefined;
      };
      const keys = [...new Set(out.map(countedKey).filter((k) => k !== undefined))];
      const counted = new Map<string, number>();
      if (keys.length > 0) {
        const found = yield* rows<{ value: string; n: number | string }>(
          sql`SELECT v.value AS value, count(DISTINCT v.resource_row) AS n FROM resource_values v
            WHERE v.tenant_id = ${tenantId} AND v.attr = ${count.holders.attribute} AND v.value IN (${join(
              keys.map((k) => sql`${k}`),
              ', ',
            )}) GROUP BY v.value`,
        );
        for (const row of found) counted.set(row.value, Number(row.n));
      }
      out = out.map((r) => {
        if (r.resourceType !== type) return r;
        const { [count.attribute]: _stored, ...doc } = r.doc;
        const k = countedKey(r);
        return { ...r, doc: k === undefined ? doc : { ...doc, [count.attribute]: counted.get(k) ?? 0 } };
      });
    }
  }
  return out;
}

/** How the values index keeps the holders' values: folded unless caseExact. */
function keyOf(count: CountSpec): (value: string) => string {
  const holders = specOf(count.holders.resourceType);
  const core = holders?.schemas[0];
  const def = core?.attributes.find((a) => a.name === count.holders.attribute);
  const indexed = def && indexedAttribute(count.holders.resourceType, core!.id, def);
  if (!indexed)
    throw new Error(`${count.holders.resourceType}.${count.holders.attribute} is not in the values index: it cannot be counted`);
  return indexed.columns.get('value')!.caseExact ? (value) => value : fold;
}
