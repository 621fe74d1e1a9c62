/**
 * fast-check generators of VALID input, derived from the schemas the server itself serves
 * (`GET /Schemas`, RFC 7643 §7) and from the admin API's OpenAPI document: resource bodies whose
 * every attribute has its declared type, canonical values and mutability; filters whose
 * operators and values suit each attribute's type (RFC 7644 §3.4.2.2); PATCH operations on
 * writable paths with values of the path's type (§3.5.2); SearchRequests, BulkRequests and query
 * strings built from the same. The hostile generators of arbitraries.ts test the gates; these get
 * past them, so that the handlers behind them are fuzzed too (endpoints.test.ts mixes both).
 */
import fc from 'fast-check';
import { BULK_REQUEST, PATCH_OP, SEARCH_REQUEST } from '../helpers/endpoints.ts';
import { GROUP_SCHEMA, USER_SCHEMA } from '../helpers/harness.ts';

/** An attribute as `GET /Schemas` describes it (RFC 7643 §7). */
export interface SchemaAttribute {
  readonly name: string;
  readonly type: 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';
  readonly multiValued: boolean;
  readonly required: boolean;
  readonly mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  readonly uniqueness?: 'none' | 'server' | 'global';
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly SchemaAttribute[];
}

export interface ScimSchema {
  readonly id: string;
  readonly attributes: readonly SchemaAttribute[];
}

/** What valid input may refer to: the schemas, and existing resources of the calling tenant. */
export interface World {
  readonly schemas: readonly ScimSchema[];
  /** Ids of users and groups the tenant has (members, manager), or placeholders resolved when sent. */
  readonly userIds: readonly string[];
  readonly groupIds: readonly string[];
}

type Kind = 'User' | 'Group';
const CORE: Record<Kind, string> = { User: USER_SCHEMA, Group: GROUP_SCHEMA };
const ENTERPRISE_PREFIX = 'urn:ietf:params:scim:schemas:extension:';

/**
 * Attributes a client may send. Not the password (writeOnly): each one costs a memory-hard hash,
 * seconds over a run; test/conformance/patch-property.test.ts fuzzes passwords.
 */
const writable = (a: SchemaAttribute) => a.mutability === 'readWrite' || a.mutability === 'immutable';

/** Text a client would send: printable, non-blank, no U+0000 (refused in every value). */
const text = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 16 })
  .filter((s) => s.trim() !== '' && !s.includes('\u0000'))
  .map((s) => s.trim());

function scalar(attribute: SchemaAttribute, world: World): fc.Arbitrary<unknown> {
  if (attribute.canonicalValues && attribute.canonicalValues.length > 0) return fc.constantFrom(...attribute.canonicalValues);
  switch (attribute.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: -1_000_000, max: 1_000_000 });
    case 'decimal':
      return fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
    case 'dateTime':
      return fc
        .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'binary':
      return fc.uint8Array({ minLength: 1, maxLength: 24 }).map((b) => Buffer.from(b).toString('base64'));
    case 'reference':
      return (attribute.referenceTypes ?? []).includes('external')
        ? fc.webUrl({ withQueryParameters: false, withFragments: false })
        : fc.constantFrom(...world.userIds);
    default:
      // A string that names a resource (members.value, manager.value) is one of the tenant's.
      // (Users only: a group given as a member of itself is refused, rightly.)
      if (attribute.name === 'value' && attribute.mutability === 'immutable') return fc.constantFrom(...world.userIds);
      return text;
  }
}

/** One value of `attribute` (an element, when multi-valued), of its declared type. */
function single(attribute: SchemaAttribute, world: World, path: string): fc.Arbitrary<unknown> {
  if (attribute.type !== 'complex') return scalar(attribute, world);
  const subs = (attribute.subAttributes ?? []).filter((s) => writable(s) && !s.name.startsWith('$'));
  // Members carry only their value; the manager is one of the tenant's users.
  const keep = path === 'members' || path.endsWith(':manager') ? subs.filter((s) => s.name === 'value') : subs;
  const fields = Object.fromEntries(
    keep.map((s) => [s.name, path.endsWith(':manager') ? fc.constantFrom(...world.userIds) : scalar(s, world)]),
  );
  return fc.record(fields, { requiredKeys: keep.some((s) => s.name === 'value') && attribute.multiValued ? ['value'] : [] });
}

/** A value of `attribute` as a whole: a list of elements (at most one primary) when multi-valued. */
export function attributeValue(attribute: SchemaAttribute, world: World, path = attribute.name): fc.Arbitrary<unknown> {
  if (!attribute.multiValued) return single(attribute, world, path);
  return fc.array(single(attribute, world, path), { minLength: 1, maxLength: 3 }).map((items) => {
    let primary = false;
    return items.map((item) => {
      if (typeof item !== 'object' || item === null || !('primary' in item)) return item;
      const keep = (item as { primary: unknown }).primary === true && !primary;
      primary ||= keep;
      return { ...item, primary: keep };
    });
  });
}

/** The schemas of a resource type: its core schema, and for users the extension. */
function schemasOf(kind: Kind, world: World): ScimSchema[] {
  return world.schemas.filter((s) => s.id === CORE[kind] || (kind === 'User' && s.id.startsWith(ENTERPRISE_PREFIX)));
}

/** Names that must be unique (userName, a group's displayName): fresh ones. */
const uniqueName = (kind: Kind) => fc.uuid().map((u) => (kind === 'User' ? `fz.${u}@example.com` : `fz group ${u}`));

/**
 * A resource body of the type: every writable attribute of its schemas, each present or not, of
 * its declared type. `name` fixes the unique name (a PUT that keeps it).
 */
export function resourceBody(kind: Kind, world: World, name?: string): fc.Arbitrary<Record<string, unknown>> {
  const parts = schemasOf(kind, world).map((schema) => {
    const attributes = schema.attributes.filter(
      (a) => writable(a) && a.uniqueness !== 'server' && !(kind === 'Group' && a.name === 'members' && world.userIds.length === 0),
    );
    const record = fc.record(
      Object.fromEntries(
        attributes.map((a) => [a.name, attributeValue(a, world, schema.id === CORE[kind] ? a.name : `${schema.id}:${a.name}`)]),
      ),
      {
        requiredKeys: [],
      },
    );
    return schema.id === CORE[kind] ? record.map((r) => ({ core: r })) : record.map((r) => ({ [schema.id]: r }));
  });
  return fc.tuple(name === undefined ? uniqueName(kind) : fc.constant(name), ...parts).map(([unique, ...records]) => {
    const body: Record<string, unknown> = { schemas: [CORE[kind]] };
    for (const record of records) {
      for (const [key, value] of Object.entries(record)) {
        if (key === 'core') Object.assign(body, value);
        else if (Object.keys(value as object).length > 0) {
          body[key] = value;
          (body['schemas'] as string[]).push(key);
        }
      }
    }
    body[kind === 'User' ? 'userName' : 'displayName'] = unique;
    return body;
  });
}

/** Attribute paths of a type with their attribute: `title`, `name.givenName`, `emails.value`, URN-qualified ones. */
function paths(kind: Kind, world: World): { path: string; attribute: SchemaAttribute; parent?: SchemaAttribute }[] {
  return schemasOf(kind, world).flatMap((schema) => {
    const prefix = schema.id === CORE[kind] ? '' : `${schema.id}:`;
    return schema.attributes.flatMap((a) => [
      { path: `${prefix}${a.name}`, attribute: a },
      ...(a.subAttributes ?? [])
        .filter((s) => !s.name.startsWith('$'))
        .map((s) => ({ path: `${prefix}${a.name}.${s.name}`, attribute: s, parent: a })),
    ]);
  });
}

const OPERATORS: Record<SchemaAttribute['type'], readonly string[]> = {
  string: ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'],
  reference: ['eq', 'ne', 'co', 'sw', 'ew'],
  binary: ['eq', 'ne'],
  boolean: ['eq', 'ne'],
  integer: ['eq', 'ne', 'gt', 'ge', 'lt', 'le'],
  decimal: ['eq', 'ne', 'gt', 'ge', 'lt', 'le'],
  dateTime: ['eq', 'ne', 'gt', 'ge', 'lt', 'le'],
  complex: [],
};

/** RFC 7644 §3.4.2.2 filters over the type's attributes: comparisons of the right type, `pr`, and/or/not, value paths. */
export function validFilter(kind: Kind, world: World): fc.Arbitrary<string> {
  const comparable = paths(kind, world).filter(({ attribute }) => attribute.type !== 'complex' && attribute.mutability !== 'writeOnly');
  const compare = fc.constantFrom(...comparable).chain(({ path, attribute }) =>
    fc.oneof(
      { weight: 1, arbitrary: fc.constant(`${path} pr`) },
      {
        weight: 4,
        arbitrary: fc
          .tuple(fc.constantFrom(...OPERATORS[attribute.type]), scalar({ ...attribute, referenceTypes: [] }, world))
          .map(([op, value]) => `${path} ${op} ${JSON.stringify(value)}`),
      },
    ),
  );
  const multi = schemasOf(kind, world)
    .flatMap((s) => s.attributes)
    .filter((a) => a.multiValued && a.type === 'complex' && a.mutability !== 'readOnly');
  const valuePath =
    multi.length === 0
      ? compare
      : fc.constantFrom(...multi).chain((a) => {
          const subs = (a.subAttributes ?? []).filter((s) => s.type !== 'complex' && !s.name.startsWith('$'));
          return fc
            .tuple(fc.constantFrom(...subs), fc.constantFrom('eq', 'ne', 'co', 'sw'))
            .chain(([s, op]) =>
              scalar(s, world).map((v) => `${a.name}[${s.name} ${s.type === 'boolean' ? 'eq' : op} ${JSON.stringify(v)}]`),
            );
        });
  const { expr } = fc.letrec<{ expr: string }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      compare,
      valuePath,
      fc.tuple(tie('expr'), fc.constantFrom('and', 'or'), tie('expr')).map(([l, c, r]) => `(${l}) ${c} (${r})`),
      tie('expr').map((e) => `not (${e})`),
    ),
  }));
  return expr;
}

/** RFC 7644 §3.5.2 operations on writable paths, with values of the path's type. */
export function validPatchOperations(kind: Kind, world: World): fc.Arbitrary<Record<string, unknown>[]> {
  // The unique name stays: a PATCH that took it could collide, and /Me finds its user by it.
  const targets = paths(kind, world).filter(
    ({ attribute, parent }) => attribute.mutability === 'readWrite' || (kind === 'Group' && attribute.name === 'members' && !parent),
  );
  const usable = targets.filter(({ attribute, parent }) => attribute.uniqueness !== 'server' && !parent?.multiValued);
  const operation = fc.constantFrom(...usable).chain(({ path, attribute, parent }) => {
    const value = attributeValue(attribute, world, path);
    const removable = !attribute.required && !(parent?.required ?? false);
    return fc.oneof(
      fc.record({ op: fc.constantFrom('add', 'replace', 'Add', 'Replace'), path: fc.constant(path), value }),
      ...(removable ? [fc.constant({ op: 'remove', path })] : []),
    );
  });
  return fc.array(operation, { minLength: 1, maxLength: 4 });
}

export function patchBody(kind: Kind, world: World): fc.Arbitrary<Record<string, unknown>> {
  return validPatchOperations(kind, world).map((Operations) => ({ schemas: [PATCH_OP], Operations }));
}

/** Names for `attributes` / `excludedAttributes`: the type's attribute paths, joined by commas. */
function attributeList(kind: Kind, world: World): fc.Arbitrary<string> {
  const names = paths(kind, world).map(({ path }) => path);
  return fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 4 }).map((list) => list.join(','));
}

/** The RFC 7644 §3.4.2 list parameters, each present or not, all valid for the type. */
function listParameters(kind: Kind, world: World) {
  const sortable = paths(kind, world)
    .filter(
      ({ attribute, parent }) =>
        attribute.type !== 'complex' && !attribute.multiValued && !parent?.multiValued && attribute.mutability !== 'writeOnly',
    )
    .map(({ path }) => path);
  return fc.record(
    {
      filter: validFilter(kind, world),
      attributes: attributeList(kind, world),
      sortBy: fc.constantFrom(...sortable),
      sortOrder: fc.constantFrom('ascending', 'descending', 'DESCENDING'),
      startIndex: fc.integer({ min: 1, max: 20 }),
      count: fc.integer({ min: 0, max: 50 }),
    },
    { requiredKeys: [] },
  );
}

export function listQuery(kind: Kind, world: World): fc.Arbitrary<string> {
  return listParameters(kind, world).map((params) => {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
    return query === '' ? '' : `?${query}`;
  });
}

/** `?attributes=` or `?excludedAttributes=` (or nothing) for a request that returns one resource. */
export function selectionQuery(kind: Kind, world: World): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant(''),
    fc
      .tuple(fc.constantFrom('attributes', 'excludedAttributes'), attributeList(kind, world))
      .map(([k, v]) => `?${k}=${encodeURIComponent(v)}`),
  );
}

export function searchBody(kind: Kind, world: World): fc.Arbitrary<Record<string, unknown>> {
  return listParameters(kind, world).map((params) => ({ schemas: [SEARCH_REQUEST], ...params }));
}

/**
 * RFC 7644 §3.7 BulkRequests of valid operations: creates (groups may name users created earlier
 * in the request by `bulkId:`), replaces and PATCHes of the tenant's resources.
 */
export function bulkBody(world: World): fc.Arbitrary<Record<string, unknown>> {
  const operation = fc.oneof(
    resourceBody('User', world).map((data) => ({ method: 'POST', path: '/Users', data })),
    resourceBody('Group', world).map((data) => ({ method: 'POST', path: '/Groups', data })),
    fc
      .constantFrom(...world.userIds)
      .chain((id) => patchBody('User', world).map((data) => ({ method: 'PATCH', path: `/Users/${id}`, data }))),
    fc
      .constantFrom(...world.groupIds)
      .chain((id) => patchBody('Group', world).map((data) => ({ method: 'PATCH', path: `/Groups/${id}`, data }))),
  );
  return fc.array(operation, { minLength: 1, maxLength: 3 }).map((operations) => {
    const users: string[] = [];
    const Operations = operations.map((op, i) => {
      const bulkId = `op${i}`;
      if (op.method === 'POST' && op.path === '/Users') users.push(bulkId);
      // A group created after a user of this request takes it as a member, by bulkId.
      if (op.method === 'POST' && op.path === '/Groups' && users.length > 0) {
        const data = op.data as Record<string, unknown>;
        return { ...op, bulkId, data: { ...data, members: [{ value: `bulkId:${users[0]}` }] } };
      }
      return { ...op, bulkId };
    });
    return { schemas: [BULK_REQUEST], Operations };
  });
}

/** A JSON-Schema subset (what the admin API's OpenAPI document uses) → valid JSON values. */
export interface JsonSchema {
  readonly type?: string;
  readonly properties?: Record<string, JsonSchema>;
  readonly required?: readonly string[];
  readonly pattern?: string;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly unknown[];
  readonly examples?: readonly unknown[];
}

export function fromJsonSchema(schema: JsonSchema, named: Record<string, fc.Arbitrary<unknown>> = {}): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object': {
      const properties = schema.properties ?? {};
      return fc.record(Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, named[name] ?? fromJsonSchema(s, named)])), {
        requiredKeys: [...(schema.required ?? [])],
      });
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? 0, max: schema.maximum ?? 1000 });
    case 'boolean':
      return fc.boolean();
    case 'string':
      // The one pattern the admin API declares is a duration: 90d, 12h, 30m.
      if (schema.pattern === '^\\d+[dhm]$')
        return fc.tuple(fc.integer({ min: 1, max: 999 }), fc.constantFrom('d', 'h', 'm')).map(([n, u]) => `${n}${u}`);
      return fc.string({ minLength: 1, maxLength: Math.min(schema.maxLength ?? 40, 40) }).filter((s) => !s.includes('\u0000'));
    default:
      return fc.constant(null);
  }
}
