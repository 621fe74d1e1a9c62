import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ScimError } from '../../src/errors/scim-error.ts';
import { parseFilter } from '../../src/filter/parser.ts';
import { parsePatchPath } from '../../src/filter/path.ts';
import { resolveFilter } from '../../src/filter/resolve.ts';
import { jsonDepthExceededAt } from '../../src/http/json-depth.ts';
import { parsePatchRequest } from '../../src/patch/parse.ts';
import { parseAttributeList } from '../../src/schema/project.ts';
import { createCoreRegistry } from '../../src/schema/registry.ts';
import { filterText, hostileString, jsonText, patchPath } from './arbitraries.ts';
import { fuzzParameters } from './runs.ts';

const registry = createCoreRegistry();

/** `run` either returns or throws a 4xx ScimError: never a TypeError, a RangeError or a 5xx. */
function onlyScimErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ScimError, `not a ScimError: ${String(error)}`);
    assert.ok(error.status >= 400 && error.status < 500, `status ${error.status}`);
    assert.ok(error.detail.length < 600, `a detail of ${error.detail.length} characters echoes too much input`);
  }
}

/**
 * The pure parsers behind every request, without HTTP in between: many more cases per second
 * than the endpoint fuzzer, so the default count is higher.
 */
describe('fuzz: the protocol parsers only ever throw 4xx ScimErrors', () => {
  it('filters: parse, then resolve against User and Group', () => {
    fc.assert(
      fc.property(filterText([]), (text) =>
        onlyScimErrors(() => {
          const filter = parseFilter(text);
          for (const type of ['User', 'Group']) onlyScimErrors(() => resolveFilter(filter, registry, type));
        }),
      ),
      fuzzParameters(2000),
    );
  });

  it('PATCH paths', () => {
    fc.assert(
      fc.property(patchPath([]), (text) => onlyScimErrors(() => parsePatchPath(text))),
      fuzzParameters(2000),
    );
  });

  it('PATCH request bodies', () => {
    const body = jsonText(['x'], 4).map((text) => JSON.parse(text) as unknown);
    fc.assert(
      fc.property(body, (value) => onlyScimErrors(() => parsePatchRequest(value))),
      fuzzParameters(1000),
    );
  });

  it('attribute lists', () => {
    fc.assert(
      fc.property(hostileString(), (text) => onlyScimErrors(() => parseAttributeList(text))),
      fuzzParameters(1000),
    );
  });

  it('the JSON depth scan agrees with the real depth of any JSON value', () => {
    const depthOf = (value: unknown): number =>
      typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 7 }), (value, max) => {
        const text = JSON.stringify(value);
        assert.equal(jsonDepthExceededAt(text, max) >= 0, depthOf(value) > max, text);
      }),
      fuzzParameters(2000),
    );
  });
});
