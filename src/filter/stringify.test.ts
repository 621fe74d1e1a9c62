import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../test/fuzz/runs.ts';
import type { AttrPath, Filter } from './ast.ts';
import { COMPARE_OPS } from './ast.ts';
import { parseFilter } from './parser.ts';
import { stringifyFilter } from './stringify.ts';
import { withoutOffsets } from './testing/helpers.ts';

describe('RFC 7644 §3.4.2.2 canonical filter text', () => {
  const rows: { source: string; expected: string }[] = [
    { source: 'userName EQ "Bjensen"', expected: 'userName eq "Bjensen"' },
    { source: 'title   PR', expected: 'title pr' },
    { source: 'a pr or b pr and c pr', expected: 'a pr or b pr and c pr' },
    { source: '(a pr or b pr) and c pr', expected: '(a pr or b pr) and c pr' },
    { source: 'a pr and (b pr and c pr)', expected: 'a pr and (b pr and c pr)' },
    { source: 'a pr or (b pr or c pr)', expected: 'a pr or (b pr or c pr)' },
    { source: '((a pr) or (b pr))', expected: 'a pr or b pr' },
    { source: 'NOT(a pr)', expected: 'not (a pr)' },
    {
      source: 'emails[type eq "work" and (value co "@x" or primary eq TRUE)]',
      expected: 'emails[type eq "work" and (value co "@x" or primary eq true)]',
    },
    { source: 'userName eq "x\\" or 1=1"', expected: 'userName eq "x\\" or 1=1"' },
    { source: 'age eq -0', expected: 'age eq -0' },
    { source: 'age eq 1.50E1', expected: 'age eq 15' },
    { source: 'title eq NULL', expected: 'title eq null' },
    {
      source: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"',
      expected: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"',
    },
  ];
  for (const { source, expected } of rows) {
    it(`writes ${source} as ${expected}`, () => assert.equal(stringifyFilter(parseFilter(source)), expected));
  }

  const name = fc
    .tuple(fc.constantFrom('', '$'), fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,6}$/))
    .map(([p, n]) => p + n)
    .filter((n) => n.toLowerCase() !== 'not');
  const path: fc.Arbitrary<AttrPath> = fc.record({
    uri: fc.option(fc.constantFrom('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'urn:x', 'urn:a.b:c-d:1.0'), {
      nil: undefined,
    }),
    name,
    subAttr: fc.option(name, { nil: undefined }),
    offset: fc.constant(0),
  });
  const literal = fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null));
  const leaf: fc.Arbitrary<Filter> = fc.oneof(
    fc.record({ kind: fc.constant('compare' as const), path, op: fc.constantFrom(...COMPARE_OPS), value: literal }),
    fc.record({ kind: fc.constant('present' as const), path }),
  );
  const logic = (inner: fc.Arbitrary<Filter>, depth: number): fc.Arbitrary<Filter> =>
    fc.letrec<{ node: Filter }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', maxDepth: depth },
        inner,
        fc.record({ kind: fc.constant('and' as const), left: tie('node'), right: tie('node') }),
        fc.record({ kind: fc.constant('or' as const), left: tie('node'), right: tie('node') }),
        fc.record({ kind: fc.constant('not' as const), filter: tie('node') }),
      ),
    })).node;
  const valuePath: fc.Arbitrary<Filter> = fc.record({ kind: fc.constant('valuePath' as const), path, filter: logic(leaf, 3) });
  const filter = logic(fc.oneof(leaf, valuePath), 4);

  it('round-trips: parse(stringify(f)) equals f, ignoring offsets', () => {
    fc.assert(
      fc.property(filter, (f) => {
        assert.deepEqual(withoutOffsets(parseFilter(stringifyFilter(f))), withoutOffsets(f));
      }),
      fuzzParameters(2000),
    );
  });

  it('round-trips parsed text: parse(stringify(parse(x))) equals parse(x)', () => {
    fc.assert(
      fc.property(filter, (f) => {
        const once = parseFilter(stringifyFilter(f));
        assert.deepEqual(withoutOffsets(parseFilter(stringifyFilter(once))), withoutOffsets(once));
      }),
      fuzzParameters(500),
    );
  });
});
