import { uniqueness } from '../../errors/scim-error.ts';
import type { SchemaDefinition } from '../../schema/attribute.ts';
import type { TenantExtension } from '../../schema/custom.ts';
import type { ResourceTypeName } from '../../schema/resource.ts';

/** What both stores share about tenant extensions: the row shape and the conflict messages. */

export interface ExtensionRow {
  readonly resource_type: ResourceTypeName;
  readonly required: boolean | number;
  /** JSON text (SQLite) or the parsed jsonb (PostgreSQL). */
  readonly definition: string | SchemaDefinition;
}

export const schemaKey = (schemaId: string): string => schemaId.toLowerCase();

export function toExtension(row: ExtensionRow): TenantExtension {
  const schema = typeof row.definition === 'string' ? (JSON.parse(row.definition) as SchemaDefinition) : row.definition;
  return { resourceType: row.resource_type, required: row.required === true || row.required === 1, schema };
}

/** 409 when a write would give a second resource the same value of a `uniqueness: server` attribute. */
export function uniqueValueTaken(attr: string) {
  return uniqueness(`the value of ${attr} is already in use (uniqueness "server")`);
}

/** 409 when existing resources share values of an attribute that is becoming unique. */
export function uniqueRebuildConflict(resourceType: ResourceTypeName, attr: string) {
  return uniqueness(`${attr} cannot become unique: existing ${resourceType}s share a value of it; make the values distinct first`);
}
