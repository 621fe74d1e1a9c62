import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../test/fuzz/runs.ts';
import { ScimError } from '../errors/scim-error.ts';
import { formatAttrPath } from './attr-path.ts';
import { parsePatchPath } from './path.ts';
import { assertScimError, show } from './testing/helpers.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('RFC 7644 §3.5.2 PATCH path parsing', () => {
  const rows: { source: string; expected: { attr: string; filter: string | undefined; subAttr: string | undefined } }[] = [
    { source: 'userName', expected: { attr: 'userName', filter: undefined, subAttr: undefined } },
    { source: 'name.givenName', expected: { attr: 'name.givenName', filter: undefined, subAttr: undefined } },
    { source: 'members', expected: { attr: 'members', filter: undefined, subAttr: undefined } },
    { source: 'members[value eq "2819c223"]', expected: { attr: 'members', filter: '(eq value "2819c223")', subAttr: undefined } },
    { source: 'emails[type eq "work"].value', expected: { attr: 'emails', filter: '(eq type "work")', subAttr: 'value' } },
    {
      source: 'addresses[type eq "work" and primary eq true].streetAddress',
      expected: { attr: 'addresses', filter: '(and (eq type "work") (eq primary true))', subAttr: 'streetAddress' },
    },
    { source: `${ENTERPRISE}:manager`, expected: { attr: `${ENTERPRISE}:manager`, filter: undefined, subAttr: undefined } },
    { source: `${ENTERPRISE}:manager.value`, expected: { attr: `${ENTERPRISE}:manager.value`, filter: undefined, subAttr: undefined } },
    { source: 'members[value eq "a]b"]', expected: { attr: 'members', filter: '(eq value "a]b")', subAttr: undefined } },
    { source: 'EMAILS[TYPE EQ "work"].VALUE', expected: { attr: 'EMAILS', filter: '(eq TYPE "work")', subAttr: 'VALUE' } },
  ];
  for (const { source, expected } of rows) {
    it(`parses ${source}`, () => {
      const path = parsePatchPath(source);
      assert.deepEqual({ attr: formatAttrPath(path.attr), filter: path.filter && show(path.filter), subAttr: path.subAttr }, expected);
    });
  }

  it('splits an enterprise URN path at the last colon', () => {
    assert.deepEqual(parsePatchPath(`${ENTERPRISE}:manager.value`).attr, { uri: ENTERPRISE, name: 'manager', subAttr: 'value', offset: 0 });
  });

  const errors: { source: string; scimType: string; detail: string }[] = [
    { source: '', scimType: 'invalidPath', detail: 'empty path at offset 0' },
    { source: 'name.givenName.x', scimType: 'invalidPath', detail: 'invalid attribute path "name.givenName.x" at offset 0' },
    { source: 'emails]', scimType: 'invalidPath', detail: 'expected "[" or end of path, found "]" at offset 6' },
    { source: 'emails x', scimType: 'invalidPath', detail: 'expected "[" or end of path, found "x" at offset 7' },
    { source: '"emails"', scimType: 'invalidPath', detail: 'expected an attribute path, found "\\"emails\\"" at offset 0' },
    {
      source: 'emails[type eq "work"]value',
      scimType: 'invalidPath',
      detail: 'expected "." and a sub-attribute name, or end of path, found "value" at offset 22',
    },
    {
      source: 'emails[type eq "work"].value.x',
      scimType: 'invalidPath',
      detail: 'expected "." and a sub-attribute name, or end of path, found ".value.x" at offset 22',
    },
    {
      source: 'emails[type eq "work"].value x',
      scimType: 'invalidPath',
      detail: 'expected "." and a sub-attribute name, or end of path, found "x" at offset 29',
    },
    {
      source: 'emails[type eq "work"][value pr]',
      scimType: 'invalidPath',
      detail: 'expected "." and a sub-attribute name, or end of path, found "[" at offset 22',
    },
    {
      source: 'emails[type eq "work"]."x"',
      scimType: 'invalidPath',
      detail: 'expected "." and a sub-attribute name, or end of path, found "." at offset 22',
    },
    // Inside the brackets: RFC 7644 §3.12 Table 9, invalidFilter for "PATCH (Path Filter)".
    {
      source: 'emails[type eq work]',
      scimType: 'invalidFilter',
      detail: 'expected a quoted string, number, true, false or null at offset 15',
    },
    { source: 'emails[type eq "work"', scimType: 'invalidFilter', detail: 'unbalanced bracket at offset 6' },
    { source: 'emails[type eqq "work"]', scimType: 'invalidFilter', detail: 'unknown operator "eqq" at offset 12' },
    { source: 'emails[]', scimType: 'invalidFilter', detail: 'expected an attribute path, "(" or "not", found "]" at offset 7' },
    { source: 'emails[value[type pr]]', scimType: 'invalidFilter', detail: 'nested value filter at offset 12' },
    { source: 'emails[type eq "a\\q"]', scimType: 'invalidFilter', detail: 'invalid escape in string at offset 17' },
    { source: `emails[${'('.repeat(40)}`, scimType: 'invalidFilter', detail: 'filter nested deeper than 32 levels at offset 38' },
  ];
  for (const { source, scimType, detail } of errors) {
    it(`rejects ${JSON.stringify(source)} with ${scimType}: ${detail}`, () =>
      assertScimError(() => parsePatchPath(source), { scimType, detail }));
  }

  it('rejects paths longer than the filter length limit', () =>
    assertScimError(() => parsePatchPath(`emails[value eq "${'x'.repeat(5000)}"]`), {
      scimType: 'invalidPath',
      detail: 'path longer than 4096 characters at offset 4096',
    }));

  it('either parses arbitrary input or throws a 400 invalidPath/invalidFilter ScimError with an offset', () => {
    const pieces = ['[', ']', '(', ')', '.', 'value', 'emails', ' ', 'eq', '"w"', '"', 'urn:a:b', ':', 'not', 'and', '\\'];
    const garbage = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.array(fc.constantFrom(...pieces), { maxLength: 30 }).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(garbage, (text) => {
        try {
          parsePatchPath(text);
        } catch (e) {
          const ok =
            e instanceof ScimError &&
            e.status === 400 &&
            (e.scimType === 'invalidPath' || e.scimType === 'invalidFilter') &&
            /at offset \d+/.test(e.detail);
          if (!ok) throw e;
        }
      }),
      fuzzParameters(2000),
    );
  });
});
