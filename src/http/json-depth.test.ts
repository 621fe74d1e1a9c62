import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonDepthExceededAt } from './json-depth.ts';

describe('JSON nesting depth, counted before parsing', () => {
  it('accepts a body exactly at the limit and points at the first bracket beyond it', () => {
    assert.equal(jsonDepthExceededAt('{"a":[{"b":1}]}', 3), -1);
    assert.equal(jsonDepthExceededAt('{"a":[{"b":[]}]}', 3), 11);
  });

  it('counts both kinds of bracket, so that a body of few brackets is passed without reading it through', () => {
    assert.equal(jsonDepthExceededAt('{"a":{"b":{"c":{}}}}', 3), 15);
    assert.equal(jsonDepthExceededAt('[[[[]]]]', 3), 3);
    assert.equal(jsonDepthExceededAt('{"a":[{"b":"]]]"}]}', 3), -1);
  });

  it('counts siblings once: depth, not the number of brackets', () => {
    assert.equal(jsonDepthExceededAt(`[${'{},'.repeat(10_000)}{}]`, 2), -1);
  });

  it('ignores brackets inside strings, including after escaped quotes and backslashes', () => {
    assert.equal(jsonDepthExceededAt('{"a":"[[[[{{{{"}', 1), -1);
    assert.equal(jsonDepthExceededAt('{"a":"\\"[[[[","b":"\\\\"}', 1), -1);
    assert.equal(jsonDepthExceededAt('{"a":"\\\\",  "b":[[]]}', 2), 17);
  });

  it('handles a million levels in one pass, without recursion', () => {
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    assert.equal(jsonDepthExceededAt(deep, 32), 32);
  });
});
