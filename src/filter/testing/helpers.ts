import assert from 'node:assert/strict';
import { ScimError } from '../../errors/scim-error.ts';
import { attr, type SchemaDefinition } from '../../schema/attribute.ts';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../schema/core/resource-types.ts';
import { createCoreRegistry, type SchemaRegistry } from '../../schema/registry.ts';
import { assertNever, type Filter } from '../ast.ts';
import { formatAttrPath } from '../attr-path.ts';

/** Test helper: a fully parenthesised rendering of a parsed filter, `(and (eq a "x") (pr b))`. */
export function show(f: Filter): string {
  switch (f.kind) {
    case 'compare':
      return `(${f.op} ${formatAttrPath(f.path)} ${Object.is(f.value, -0) ? '-0' : JSON.stringify(f.value)})`;
    case 'present':
      return `(pr ${formatAttrPath(f.path)})`;
    case 'and':
    case 'or':
      return `(${f.kind} ${show(f.left)} ${show(f.right)})`;
    case 'not':
      return `(not ${show(f.filter)})`;
    case 'valuePath':
      return `(${formatAttrPath(f.path)}[] ${show(f.filter)})`;
    default:
      return assertNever(f);
  }
}

/** Test helper: the filter with every `offset` removed, for comparisons that ignore positions. */
export function withoutOffsets(f: Filter): unknown {
  return JSON.parse(JSON.stringify(f, (key, value: unknown) => (key === 'offset' ? undefined : value)));
}

/** Test helper: asserts that `fn` throws the ScimError `{status, scimType, detail}`. */
export function assertScimError(fn: () => unknown, expected: { status?: number; scimType: string; detail: string | RegExp }): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ScimError, `expected a ScimError, got ${String(e)}`);
    assert.equal(e.status, expected.status ?? 400);
    assert.equal(e.scimType, expected.scimType);
    if (typeof expected.detail === 'string') assert.equal(e.detail, expected.detail);
    else assert.match(e.detail, expected.detail);
    return true;
  });
}

/** A tenant extension with the types the core schemas lack (integer, decimal, dateTime, binary). */
export const TEST_EXTENSION_ID = 'urn:example:params:scim:schemas:extension:test:2.0:User';
export const TEST_EXTENSION: SchemaDefinition = {
  id: TEST_EXTENSION_ID,
  name: 'Test',
  description: 'Types for filter tests',
  attributes: [
    attr('age', 'integer'),
    attr('score', 'decimal'),
    attr('hired', 'dateTime'),
    attr('blob', 'binary'),
    attr('code', 'string', { caseExact: true }),
    attr('tags', 'string', { multiValued: true }),
    attr('badges', 'complex', { multiValued: true, subAttributes: [attr('rank', 'integer'), attr('label', 'string')] }),
  ],
};

/** The core registry plus TEST_EXTENSION on User. */
export function createTestRegistry(): SchemaRegistry {
  return createCoreRegistry().withSchemas(
    [TEST_EXTENSION],
    [
      { ...USER_RESOURCE_TYPE, schemaExtensions: [...USER_RESOURCE_TYPE.schemaExtensions, { schema: TEST_EXTENSION_ID, required: false }] },
      GROUP_RESOURCE_TYPE,
    ],
  );
}
