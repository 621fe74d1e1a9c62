import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { characterCount, MAX_NAME_LENGTH, MAX_TYPE_LENGTH, MAX_VALUE_LENGTH } from './lengths.ts';

/** docs/limits.md "Indexed attributes": lengths in characters (Unicode code points), a surrogate pair one character. */
describe('the lengths of indexed values', () => {
  it('512 characters for names and values, 64 for types', () => {
    assert.deepEqual([MAX_NAME_LENGTH, MAX_VALUE_LENGTH, MAX_TYPE_LENGTH], [512, 512, 64]);
  });

  it('counts code points: a pair once, a lone surrogate (high, low, at the end, before a non-surrogate) once each', () => {
    const cases: [string, number][] = [
      ['', 0],
      ['abc', 3],
      ['é€', 2],
      ['😀', 1],
      ['a😀b😀', 4],
      ['\ud800\udc00', 1],
      ['\udbff\udfff', 1],
      ['\ud7ff\udc00', 2],
      ['\ue000\udc00', 2],
      ['\ud800\udbff', 2],
      ['\ud800\ue000', 2],
      ['\ud800\udfff', 1],
      ['\udbff\udc00', 1],
      ['\udc00\udc00', 2],
      ['\ud800', 1],
      ['a\ud800', 2],
      ['\ud800a', 2],
      ['\udc00\ud800\udc00', 2],
    ];
    for (const [text, count] of cases) assert.equal(characterCount(text), count, JSON.stringify(text));
  });
});
