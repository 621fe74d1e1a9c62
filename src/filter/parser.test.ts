import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../test/fuzz/runs.ts';
import { ScimError } from '../errors/scim-error.ts';
import type { Filter } from './ast.ts';
import { DEFAULT_FILTER_LIMITS, LENIENT_FILTER_SYNTAX, parseFilter } from './parser.ts';
import { assertScimError, show, withoutOffsets } from './testing/helpers.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('RFC 7644 §3.4.2.2 filter parsing', () => {
  const rows: { source: string; expected: string }[] = [
    // Every operator (Table 3), any case.
    { source: 'userName eq "bjensen"', expected: '(eq userName "bjensen")' },
    { source: 'title ne "x"', expected: '(ne title "x")' },
    { source: 'name.familyName co "O\'Malley"', expected: '(co name.familyName "O\'Malley")' },
    { source: 'userName sw "J"', expected: '(sw userName "J")' },
    { source: 'userName ew "n"', expected: '(ew userName "n")' },
    { source: 'title pr', expected: '(pr title)' },
    { source: 'meta.lastModified gt "2011-05-13T04:42:34Z"', expected: '(gt meta.lastModified "2011-05-13T04:42:34Z")' },
    { source: 'meta.lastModified ge "2011-05-13T04:42:34Z"', expected: '(ge meta.lastModified "2011-05-13T04:42:34Z")' },
    { source: 'meta.lastModified lt "2011-05-13T04:42:34Z"', expected: '(lt meta.lastModified "2011-05-13T04:42:34Z")' },
    { source: 'meta.lastModified le "2011-05-13T04:42:34Z"', expected: '(le meta.lastModified "2011-05-13T04:42:34Z")' },
    { source: 'userName EQ "a"', expected: '(eq userName "a")' },
    { source: 'userName Eq "a" AND title PR Or not (x Pr)', expected: '(or (and (eq userName "a") (pr title)) (not (pr x)))' },
    { source: 'USERNAME eq "a"', expected: '(eq USERNAME "a")' },
    // Literals.
    { source: 'active eq TRUE', expected: '(eq active true)' },
    { source: 'active eq false', expected: '(eq active false)' },
    { source: 'title eq Null', expected: '(eq title null)' },
    { source: 'age gt -1.5e2', expected: '(gt age -150)' },
    { source: 'age eq 0', expected: '(eq age 0)' },
    { source: 'userName eq "x\\" or 1=1"', expected: '(eq userName "x\\" or 1=1")' },
    { source: 'userName eq "\\u0041\\n"', expected: '(eq userName "A\\n")' },
    { source: 'userName eq ""', expected: '(eq userName "")' },
    // Precedence: not > and > or, left-associative; parentheses group.
    { source: 'a pr or b pr and c pr', expected: '(or (pr a) (and (pr b) (pr c)))' },
    { source: 'a pr and b pr or c pr', expected: '(or (and (pr a) (pr b)) (pr c))' },
    { source: '(a pr or b pr) and c pr', expected: '(and (or (pr a) (pr b)) (pr c))' },
    { source: 'a pr or b pr or c pr', expected: '(or (or (pr a) (pr b)) (pr c))' },
    { source: 'a pr and b pr and c pr', expected: '(and (and (pr a) (pr b)) (pr c))' },
    { source: 'a pr or (b pr or c pr)', expected: '(or (pr a) (or (pr b) (pr c)))' },
    { source: 'not (a pr) and b pr', expected: '(and (not (pr a)) (pr b))' },
    { source: 'not(not(a pr))', expected: '(not (not (pr a)))' },
    { source: '((((a pr))))', expected: '(pr a)' },
    { source: '  a pr  ', expected: '(pr a)' },
    // Value paths.
    { source: 'emails[type eq "work"]', expected: '(emails[] (eq type "work"))' },
    // Entra's lookup by work email (not in the ABNF): the sub-attribute joins the value filter.
    { source: 'emails[type eq "work"].value eq "x"', expected: '(emails[] (and (eq type "work") (eq value "x")))' },
    {
      source: 'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      expected: '(or (emails[] (and (eq type "work") (co value "@example.com"))) (ims[] (and (eq type "xmpp") (co value "@foo.com"))))',
    },
    { source: 'emails[not (type eq "work") or (primary eq true)]', expected: '(emails[] (or (not (eq type "work")) (eq primary true)))' },
    {
      source: 'members[value eq "2819c223"] and displayName sw "A"',
      expected: '(and (members[] (eq value "2819c223")) (sw displayName "A"))',
    },
    // URN-qualified paths: the URN runs to the last colon, its "2.0" keeps its dot.
    { source: `${ENTERPRISE}:manager.value eq "26118915"`, expected: `(eq ${ENTERPRISE}:manager.value "26118915")` },
    { source: `${ENTERPRISE}:department eq "Tour"`, expected: `(eq ${ENTERPRISE}:department "Tour")` },
    {
      source: 'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName pr',
      expected: '(pr urn:ietf:params:scim:schemas:core:2.0:User:name.familyName)',
    },
    { source: `${ENTERPRISE}:manager[value eq "1"]`, expected: `(${ENTERPRISE}:manager[] (eq value "1"))` },
    { source: 'members.$ref eq "x"', expected: '(eq members.$ref "x")' },
    {
      source: 'schemas eq "urn:ietf:params:scim:schemas:core:2.0:User"',
      expected: '(eq schemas "urn:ietf:params:scim:schemas:core:2.0:User")',
    },
  ];
  for (const { source, expected } of rows) {
    it(`parses ${source}`, () => assert.equal(show(parseFilter(source)), expected));
  }

  it('keeps one string literal for an escaped quote, whatever it contains', () => {
    const filter = parseFilter('userName eq "x\\" or 1=1"');
    assert.deepEqual(filter, {
      kind: 'compare',
      path: { uri: undefined, name: 'userName', subAttr: undefined, offset: 0 },
      op: 'eq',
      value: 'x" or 1=1',
    });
  });

  it('splits a URN-qualified path at the last colon', () => {
    const filter = parseFilter(`${ENTERPRISE}:manager.value eq "x"`);
    assert.equal(filter.kind, 'compare');
    assert.deepEqual(filter.kind === 'compare' && filter.path, { uri: ENTERPRISE, name: 'manager', subAttr: 'value', offset: 0 });
  });

  it('records the offset of every attribute path', () => {
    const filter = parseFilter('a pr and (emails[type eq "w"])');
    assert.equal(filter.kind, 'and');
    if (filter.kind !== 'and' || filter.right.kind !== 'valuePath') return assert.fail('shape');
    assert.equal(filter.right.path.offset, 10);
    assert.equal(filter.right.filter.kind === 'compare' && filter.right.filter.path.offset, 17);
  });

  const errors: { source: string; detail: string }[] = [
    { source: 'userName eqq "x"', detail: 'unknown operator "eqq" at offset 9' },
    { source: 'userName = "x"', detail: 'unknown operator "=" at offset 9' },
    { source: '(userName eq "x"', detail: 'unbalanced parenthesis at offset 0' },
    { source: 'userName eq "x")', detail: 'unbalanced parenthesis at offset 15' },
    { source: 'a pr and ((b pr)', detail: 'unbalanced parenthesis at offset 9' },
    { source: 'emails[type eq "x"', detail: 'unbalanced bracket at offset 6' },
    { source: 'emails[type eq "x")', detail: 'unbalanced parenthesis at offset 18' },
    { source: 'emails[(type eq "x"]', detail: 'unbalanced parenthesis at offset 7' },
    { source: 'a pr]', detail: 'unbalanced bracket at offset 4' },
    { source: 'userName eq bjensen', detail: 'expected a quoted string, number, true, false or null at offset 12' },
    { source: "userName eq 'bjensen'", detail: 'expected a quoted string, number, true, false or null at offset 12' },
    { source: 'userName eq', detail: 'expected a quoted string, number, true, false or null at offset 11' },
    { source: 'userName eq (', detail: 'expected a quoted string, number, true, false or null at offset 12' },
    { source: 'userName', detail: 'expected an operator after "userName", found end of input at offset 8' },
    { source: 'userName "x"', detail: 'expected an operator after "userName", found "\\"x\\"" at offset 9' },
    { source: 'userName eq "x" title pr', detail: 'expected "and", "or" or end of input, found "title" at offset 16' },
    { source: '(a pr b pr)', detail: 'expected "and", "or" or ")", found "b" at offset 6' },
    { source: 'emails[a pr b pr]', detail: 'expected "and", "or" or "]", found "b" at offset 12' },
    { source: 'a pr and', detail: 'expected an attribute path, "(" or "not", found end of input at offset 8' },
    { source: 'a pr or or b pr', detail: 'unknown operator "b" at offset 11' },
    { source: '()', detail: 'expected an attribute path, "(" or "not", found ")" at offset 1' },
    { source: '"x" eq "x"', detail: 'expected an attribute path, "(" or "not", found "\\"x\\"" at offset 0' },
    { source: 'not a pr', detail: 'expected "(" after "not", found "a" at offset 4' },
    { source: '', detail: 'empty filter at offset 0' },
    { source: '   ', detail: 'empty filter at offset 3' },
    { source: 'emails[type eq "work"].value', detail: 'expected an operator after "value", found end of input at offset 28' },
    { source: 'emails[type eq "work"].1value eq "x"', detail: 'invalid sub-attribute ".1value" at offset 22' },
    { source: 'emails[value[type eq "x"] pr]', detail: 'nested value filter at offset 12' },
    { source: 'emails[type eq "x" and ims[type pr]]', detail: 'nested value filter at offset 26' },
    { source: 'name.familyName.x pr', detail: 'invalid attribute path "name.familyName.x" at offset 0' },
    { source: 'a..b pr', detail: 'invalid attribute path "a..b" at offset 0' },
    { source: 'a. pr', detail: 'invalid attribute path "a." at offset 0' },
    { source: ':a pr', detail: 'invalid attribute path ":a" at offset 0' },
    { source: 'urn:x: pr', detail: 'invalid attribute path "urn:x:" at offset 0' },
    { source: '1=1 pr', detail: 'invalid number "1=1" at offset 0' },
    { source: 'a pr or 1=1', detail: 'invalid number "1=1" at offset 8' },
    { source: 'user_name* pr', detail: 'invalid attribute path "user_name*" at offset 0' },
    { source: '_a pr', detail: 'invalid attribute path "_a" at offset 0' },
    { source: 'a eq "unterminated', detail: 'unterminated string at offset 5' },
  ];
  for (const { source, detail } of errors) {
    it(`rejects ${JSON.stringify(source)} with invalidFilter: ${detail}`, () =>
      assertScimError(() => parseFilter(source), { scimType: 'invalidFilter', detail }));
  }
});

describe('unquoted values (docs/filtering.md "Unquoted values": what Entra ID and its test collection send)', () => {
  const lenient = (text: string) => parseFilter(text, DEFAULT_FILTER_LIMITS, LENIENT_FILTER_SYNTAX);
  const rows: { source: string; expected: string }[] = [
    // Microsoft's Postman collection.
    { source: 'userName sw O', expected: '(sw userName "O")' },
    { source: 'meta.Created gt 2015-10-10T14:38:21Z', expected: '(gt meta.Created "2015-10-10T14:38:21Z")' },
    // Entra's existence check seen unquoted.
    { source: 'externalId eq 1a2b-3c4d', expected: '(eq externalId "1a2b-3c4d")' },
    { source: 'externalId eq 6f8c2f4e-9d3a-4b7e-8a1f-2c3d4e5f6a7b', expected: '(eq externalId "6f8c2f4e-9d3a-4b7e-8a1f-2c3d4e5f6a7b")' },
    {
      source: 'userName eq bjensen@example.com and active eq true',
      expected: '(and (eq userName "bjensen@example.com") (eq active true))',
    },
    { source: "userName eq 'bjensen'", expected: '(eq userName "\'bjensen\'")' },
    { source: 'emails[type eq work]', expected: '(emails[] (eq type "work"))' },
    { source: 'emails[type eq work].value eq x', expected: '(emails[] (and (eq type "work") (eq value "x")))' },
    // Keywords and numbers keep their meaning; quoted strings are what they were.
    { source: 'active eq True', expected: '(eq active true)' },
    { source: 'title eq null', expected: '(eq title null)' },
    { source: 'age gt -1.5e2', expected: '(gt age -150)' },
    { source: 'userName eq "x y"', expected: '(eq userName "x y")' },
    { source: 'title eq -', expected: '(eq title "-")' },
    // A keyword is the whole word.
    { source: 'active eq truex', expected: '(eq active "truex")' },
    { source: 'title eq nullx', expected: '(eq title "nullx")' },
  ];
  for (const { source, expected } of rows) {
    it(`reads ${source}`, () => assert.equal(show(lenient(source)), expected));
  }

  it('keeps the text of a number, for a string attribute to compare with (externalId eq 0012 is "0012")', () => {
    assert.deepEqual(lenient('externalId eq 12345'), {
      kind: 'compare',
      path: { uri: undefined, name: 'externalId', subAttr: undefined, offset: 0 },
      op: 'eq',
      value: 12345,
      numberText: '12345',
    });
    assert.equal(show(lenient('externalId eq 0012')), '(eq externalId "0012")');
    const quoted = parseFilter('externalId eq 12345');
    assert.equal(quoted.kind === 'compare' && quoted.numberText, undefined);
  });

  const errors: { source: string; detail: string }[] = [
    { source: 'userName eq', detail: 'expected a quoted string, number, true, false or null at offset 11' },
    { source: 'userName eq (', detail: 'expected a quoted string, number, true, false or null at offset 12' },
    { source: 'userName eq x y', detail: 'expected "and", "or" or end of input, found "y" at offset 14' },
    { source: 'a pr or 1=1', detail: 'invalid attribute path "1=1" at offset 8' },
    { source: 'a pr orx b pr', detail: 'expected "and", "or" or end of input, found "orx" at offset 5' },
  ];
  for (const { source, detail } of errors) {
    it(`still rejects ${JSON.stringify(source)}: ${detail}`, () =>
      assertScimError(() => lenient(source), { scimType: 'invalidFilter', detail }));
  }

  it('RFC 7644 grammar (strict): an unquoted date is an invalid number, an unquoted word no value', () => {
    assertScimError(() => parseFilter('meta.created gt 2015-10-10T14:38:21Z'), {
      scimType: 'invalidFilter',
      detail: 'invalid number "2015-10-10T14:38:21Z" at offset 16',
    });
    assertScimError(() => parseFilter('userName sw O'), {
      scimType: 'invalidFilter',
      detail: 'expected a quoted string, number, true, false or null at offset 12',
    });
  });
});

describe('RFC 7644 §3.4.2.2 filter limits (docs/filtering.md)', () => {
  it('exports the documented defaults', () => assert.deepEqual(DEFAULT_FILTER_LIMITS, { maxLength: 4096, maxDepth: 32 }));

  it('accepts a filter of exactly the maximum length and rejects one character more', () => {
    const base = 'userName eq ""';
    const exact = `userName eq "${'x'.repeat(4096 - base.length)}"`;
    assert.equal(exact.length, 4096);
    assert.equal(parseFilter(exact).kind, 'compare');
    assertScimError(() => parseFilter(`${exact} `), {
      scimType: 'invalidFilter',
      detail: 'filter longer than 4096 characters at offset 4096',
    });
  });

  it('rejects a 1 MB filter without scanning it', () => {
    const huge = `${'a pr and '.repeat(120_000)}a pr`;
    assertScimError(() => parseFilter(huge), { scimType: 'invalidFilter', detail: 'filter longer than 4096 characters at offset 4096' });
  });

  it('accepts 32 levels of nesting and rejects 33', () => {
    assert.equal(show(parseFilter(`${'('.repeat(32)}a pr${')'.repeat(32)}`)), '(pr a)');
    assertScimError(() => parseFilter(`${'('.repeat(33)}a pr${')'.repeat(33)}`), {
      scimType: 'invalidFilter',
      detail: 'filter nested deeper than 32 levels at offset 32',
    });
  });

  it('counts value-path brackets as a level', () => {
    assert.equal(parseFilter(`${'('.repeat(31)}emails[type pr]${')'.repeat(31)}`).kind, 'valuePath');
    assertScimError(() => parseFilter(`${'('.repeat(32)}emails[type pr]${')'.repeat(32)}`), {
      scimType: 'invalidFilter',
      detail: 'filter nested deeper than 32 levels at offset 38',
    });
  });

  it('turns 100,000 nested parentheses into invalidFilter, never a stack overflow', () => {
    const deep = `${'('.repeat(100_000)}a pr${')'.repeat(100_000)}`;
    assertScimError(() => parseFilter(deep), { scimType: 'invalidFilter', detail: 'filter longer than 4096 characters at offset 4096' });
    assertScimError(() => parseFilter(deep, { maxLength: Infinity }), {
      scimType: 'invalidFilter',
      detail: 'filter nested deeper than 32 levels at offset 32',
    });
    assertScimError(() => parseFilter('not ('.repeat(100_000), { maxLength: Infinity }), {
      scimType: 'invalidFilter',
      detail: 'filter nested deeper than 32 levels at offset 164',
    });
  });

  it('honours custom limits', () => {
    assertScimError(() => parseFilter('((a pr))', { maxDepth: 1 }), {
      scimType: 'invalidFilter',
      detail: 'filter nested deeper than 1 levels at offset 1',
    });
    assertScimError(() => parseFilter('a pr', { maxLength: 3 }), {
      scimType: 'invalidFilter',
      detail: 'filter longer than 3 characters at offset 3',
    });
  });
});

describe('RFC 7644 §3.4.2.2 filter parsing of arbitrary input', () => {
  const pieces = [
    '(',
    ')',
    '[',
    ']',
    '"',
    '\\',
    '\\u00',
    ' ',
    'eq',
    'EQ',
    'pr',
    'and',
    'or',
    'not',
    'a',
    'b.c',
    'urn:x:y',
    ':',
    '.',
    '$ref',
    '1',
    '-',
    'e',
    '0.',
    'true',
    'null',
    '\u0000',
    '\u00e9',
    '\ud83d',
    '"x"',
    'emails',
  ];
  const garbage = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((p) => p.join('')),
  );

  const outcome = (parse: () => unknown): unknown => {
    try {
      return withoutOffsets(parse() as Filter);
    } catch (e) {
      if (!(e instanceof ScimError) || e.status !== 400 || e.scimType !== 'invalidFilter' || !/at offset \d+/.test(e.detail)) throw e;
      return e;
    }
  };
  const numberTextless = (tree: unknown) =>
    JSON.parse(JSON.stringify(tree, (key, value: unknown) => (key === 'numberText' ? undefined : value)));

  it('either parses or throws a 400 invalidFilter ScimError with an offset, with and without unquoted values', () => {
    fc.assert(
      fc.property(garbage, (text) => {
        outcome(() => parseFilter(text));
        outcome(() => parseFilter(text, DEFAULT_FILTER_LIMITS, LENIENT_FILTER_SYNTAX));
      }),
      { numRuns: 3000 },
    );
  });

  it('unquoted values only add: what the RFC grammar parses, the lenient parse reads the same', () => {
    fc.assert(
      fc.property(garbage, (text) => {
        const strict = outcome(() => parseFilter(text));
        if (strict instanceof ScimError) return;
        assert.deepEqual(numberTextless(outcome(() => parseFilter(text, DEFAULT_FILTER_LIMITS, LENIENT_FILTER_SYNTAX))), strict);
      }),
      fuzzParameters(3000),
    );
  });
});
