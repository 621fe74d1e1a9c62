import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { createCoreRegistry, type SchemaRegistry } from '../schema/registry.ts';
import { createAcmeRegistry } from '../schema/testing/acme-extension.ts';
import { applyPatch, type PatchResult } from './apply.ts';
import { PATCH_OP_SCHEMA } from './operation.ts';
import { type PatchParseOptions, parsePatchRequest } from './parse.ts';
import { type PlanOptions, planPatch } from './plan.ts';

/** One row of fixtures/*.json: a stored document, a PATCH, and what must come out. */
interface Row {
  readonly name: string;
  readonly resourceType: string;
  /** "acme": the core registry plus the test extension of schema/testing (immutable, required…). */
  readonly registry?: 'core' | 'acme';
  readonly doc: Record<string, unknown>;
  /** The Operations array; or `body`, the whole request, for rows about its structure. */
  readonly operations?: unknown;
  readonly body?: unknown;
  readonly options?: PatchParseOptions & PlanOptions;
  readonly expected:
    | { readonly doc?: unknown; readonly memberOps?: unknown; readonly password?: string | null; readonly changedAttributes?: string[] }
    | { readonly error: { readonly status: number; readonly scimType: string; readonly detail?: string } };
}

const registries: Record<string, SchemaRegistry> = { core: createCoreRegistry(), acme: createAcmeRegistry() };

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function run(row: Row): PatchResult {
  const body = row.body ?? { schemas: [PATCH_OP_SCHEMA], Operations: row.operations };
  const operations = parsePatchRequest(body, row.options);
  const registry = registries[row.registry ?? 'core']!;
  return applyPatch(registry, row.resourceType, row.doc, planPatch(registry, row.resourceType, operations, row.options));
}

const dir = new URL('./fixtures/', import.meta.url);
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const rows = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Row[];
  describe(`patch fixtures: ${file}`, () => {
    for (const row of rows) {
      it(row.name, () => {
        const snapshot = structuredClone(row.doc);
        deepFreeze(row.doc);
        const expected = row.expected;
        if ('error' in expected) {
          assert.throws(
            () => run(row),
            (error: unknown) => {
              assert.ok(error instanceof ScimError, `expected ScimError, got ${String(error)}`);
              assert.deepEqual(
                { status: error.status, scimType: error.scimType },
                { status: expected.error.status, scimType: expected.error.scimType },
                error.detail,
              );
              if (expected.error.detail !== undefined) assert.ok(error.detail.includes(expected.error.detail), error.detail);
              return true;
            },
          );
        } else {
          const result = run(row);
          if (expected.doc !== undefined) assert.deepEqual(result.doc, expected.doc);
          assert.deepEqual(result.memberOps, expected.memberOps ?? []);
          assert.equal(result.password, expected.password ?? undefined);
          if (expected.changedAttributes !== undefined) {
            assert.deepEqual([...result.changedAttributes].sort(), [...expected.changedAttributes].sort());
          }
          assert.ok(!('password' in result.doc), 'password never enters the document');
        }
        assert.deepEqual(row.doc, snapshot, 'the input document is not mutated');
      });
    }
  });
}
