import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateFilter } from './evaluate.ts';
import { compareCodePoints } from './fold.ts';
import { parseFilter } from './parser.ts';
import { resolveFilter } from './resolve.ts';
import { createTestRegistry, TEST_EXTENSION_ID as TEST } from './testing/helpers.ts';

const registry = createTestRegistry();
const USER = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', TEST],
  userName: 'u',
  [TEST]: { age: 42, hired: '2010-01-01T00:00:00Z' },
};
const matches = (source: string) => evaluateFilter(resolveFilter(parseFilter(source), registry, 'User'), USER);

describe('RFC 7644 §3.4.2.2 ordering by code point, as the stores order text (docs/filtering.md)', () => {
  it('U+E000–U+FFFF sort before astral characters, whose UTF-16 surrogates are smaller', () => {
    assert.ok(compareCodePoints('\uffff', '\u{1f600}') < 0);
    assert.ok(compareCodePoints('\u{1f600}', '\uffff') > 0);
    // The range boundaries: U+E000 (the first after the surrogates) and U+10000 (surrogate D800).
    assert.ok(compareCodePoints('\ue000', '\u{10000}') < 0);
    assert.ok(compareCodePoints('\u{10000}', '\ue000') > 0);
    assert.ok(compareCodePoints('a\u{10000}', 'a\u{10001}') < 0);
    assert.ok(compareCodePoints('\u{10000}', '\ud7ff') > 0);
    assert.ok(compareCodePoints('\ud7ff', '\ue000') < 0);
    assert.ok(compareCodePoints('\ue000', '\ud7ff') > 0);
  });
});

describe('RFC 7644 §3.4.2.2 ne, ge and le on numbers and dates', () => {
  const rows: [string, boolean][] = [
    [`${TEST}:age ne 41`, true],
    [`${TEST}:age ne 42`, false],
    [`${TEST}:age ge 43`, false],
    [`${TEST}:age ge 41`, true],
    [`${TEST}:age le 41`, false],
    [`${TEST}:age le 42`, true],
    [`${TEST}:hired ne "2010-01-01T00:00:00Z"`, false],
    [`${TEST}:hired ne "2010-01-01T00:00:01Z"`, true],
    [`${TEST}:hired ge "2010-01-01T00:00:01Z"`, false],
    [`${TEST}:hired ge "2010-01-01T01:00:00+01:00"`, true],
  ];
  for (const [source, expected] of rows) it(`${source} → ${expected}`, () => assert.equal(matches(source), expected));
});
