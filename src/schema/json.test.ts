import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters } from '../../test/fuzz/runs.ts';
import { cloneJson, isJsonObject, jsonEqual, UNSAFE_KEYS } from './json.ts';

describe('JSON helpers of validation and projection', () => {
  it('jsonEqual: equal JSON values whatever the key order; arrays in order', () => {
    const equal: [unknown, unknown][] = [
      [1, 1],
      ['a', 'a'],
      [null, null],
      [true, true],
      [[], []],
      [{}, {}],
      [
        [1, 'x', null],
        [1, 'x', null],
      ],
      [
        { a: 1, b: [{ c: 'd' }] },
        { b: [{ c: 'd' }], a: 1 },
      ],
    ];
    for (const [a, b] of equal) assert.equal(jsonEqual(a, b), true, JSON.stringify([a, b]));
  });

  it('jsonEqual: different types, lengths, members or values are different', () => {
    const different: [unknown, unknown][] = [
      [1, 2],
      [1, '1'],
      ['a', 'A'],
      [null, {}],
      [{}, null],
      [null, []],
      [0, null],
      [[], {}],
      [{}, []],
      [{ 0: 'a' }, ['a']],
      [['a'], { 0: 'a' }],
      [[1, 2], [1]],
      [[1], [1, 2]],
      [
        [1, 2],
        [2, 1],
      ],
      [
        [1, 2],
        [1, 3],
      ],
      [{ a: 1 }, { a: 1, b: 2 }],
      [{ a: 1, b: 2 }, { a: 1 }],
      [{ a: 1 }, { b: 1 }],
      [{ a: undefined }, { b: undefined }],
      [
        { a: 1, b: 2 },
        { a: 1, b: 3 },
      ],
      [{ a: { b: 1 } }, { a: { b: '1' } }],
      [true, 'true'],
    ];
    for (const [a, b] of different) assert.equal(jsonEqual(a, b), false, JSON.stringify([a, b]));
  });

  it('isJsonObject: an object, not null, not an array', () => {
    assert.equal(isJsonObject({}), true);
    assert.equal(isJsonObject(JSON.parse('{"a":1}')), true);
    for (const value of [null, [], 'x', 1, true, undefined]) assert.equal(isJsonObject(value), false, String(value));
  });

  it('docs/limits.md "No prototype pollution": __proto__, constructor and prototype are never keys of a document', () => {
    assert.deepEqual([...UNSAFE_KEYS].sort(), ['__proto__', 'constructor', 'prototype']);
  });
});

describe('cloneJson', () => {
  it('copies any JSON value deeply: equal to it, sharing no object or array with it', () => {
    const shared = (a: unknown, b: unknown): boolean =>
      typeof a === 'object' && a !== null && (a === b || Object.keys(a).some((k) => shared((a as never)[k], (b as never)[k])));
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = cloneJson(value);
        assert.deepEqual(copy, value);
        assert.equal(shared(value, copy), false);
      }),
      fuzzParameters(200),
    );
  });

  it('keeps a parsed "__proto__" key an own property, as structuredClone does, without touching the prototype', () => {
    const parsed = JSON.parse('{"a":{"__proto__":{"polluted":true},"b":1}}') as Record<string, Record<string, unknown>>;
    const copy = cloneJson(parsed);
    assert.deepEqual(Object.keys(copy['a']!), ['__proto__', 'b']);
    assert.equal(Object.getPrototypeOf(copy['a']), Object.prototype);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    assert.deepEqual(Object.getOwnPropertyDescriptor(copy['a'], '__proto__')?.value, { polluted: true });
  });
});
