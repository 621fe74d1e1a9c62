import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFilter } from './parser.ts';

// A file of its own: `npm run test:mutation` leaves it out (scripts/mutation.mjs). It pins that
// the parser loops rather than recurses over an and-chain, which no mutant changes, and its
// 240,000 tokens took 7 s of every filter mutant's run through instrumented code.
describe('RFC 7644 §3.4.2.2 filter limits (docs/filtering.md): a 1 MB filter', () => {
  it('parses a 1 MB and-chain in a loop when the length limit is lifted', () => {
    const huge = `${'a pr and '.repeat(120_000)}a pr`;
    assert.equal(parseFilter(huge, { maxLength: Infinity }).kind, 'and');
  });
});
