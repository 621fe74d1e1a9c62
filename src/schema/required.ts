import { invalidValue } from '../errors/scim-error.ts';
import type { AttributeDefinition, SchemaDefinition } from './attribute.ts';
import { isJsonObject } from './json.ts';
import type { MemberInput } from './resource.ts';

/** RFC 7643 §2.2 required, and §6 required schema extensions. "" counts as missing. */
export function checkRequired(
  core: SchemaDefinition,
  extensions: readonly SchemaDefinition[],
  refs: readonly { readonly schema: string; readonly required: boolean }[],
  doc: Record<string, unknown>,
  used: ReadonlySet<string>,
  outside: {
    readonly members: readonly MemberInput[] | undefined;
    readonly password: string | undefined;
    /** Where the validator put each core attribute (Group.members and User.password live outside doc). */
    readonly routeOf: (def: AttributeDefinition) => string;
  },
): void {
  const missing: string[] = [];
  const has = (value: unknown) => value !== undefined && value !== '';
  for (const def of core.attributes) {
    if (!def.required || def.mutability === 'readOnly') continue;
    const route = outside.routeOf(def);
    const present =
      route === 'members' ? (outside.members?.length ?? 0) > 0 : route === 'password' ? has(outside.password) : has(doc[def.name]);
    if (!present) missing.push(def.name);
  }
  for (const ext of extensions) {
    const data = doc[ext.id];
    const required = refs.some((r) => r.required && r.schema.toLowerCase() === ext.id.toLowerCase());
    const present = used.has(ext.id);
    if (required && !present) {
      missing.push(ext.id);
      continue;
    }
    if (!present) continue;
    const values = isJsonObject(data) ? data : {};
    for (const def of ext.attributes) {
      if (def.required && def.mutability !== 'readOnly' && !has(values[def.name])) missing.push(`${ext.id}:${def.name}`);
    }
  }
  if (missing.length === 1) throw invalidValue(`required attribute "${missing[0]}" is missing`);
  if (missing.length > 1) throw invalidValue(`required attributes ${missing.map((m) => `"${m}"`).join(', ')} are missing`);
}
