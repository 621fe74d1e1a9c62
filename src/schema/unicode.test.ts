import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasLoneSurrogate, loneSurrogateIn } from './unicode.ts';

/** RFC 8259 §8.2: JSON's `\ud800` escapes can make a string no UTF-8 text (RFC 7644 §3.1) can carry. */
const HIGH = '\ud83d';
const LOW = '\ude00';
const PAIR = `${HIGH}${LOW}`;

describe('unpaired UTF-16 surrogates (RFC 8259 §8.2), refused where text enters', () => {
  it('a high or low surrogate alone, at the start, the middle or the end; never a pair, nor text without surrogates', () => {
    for (const text of [
      HIGH,
      LOW,
      `a${HIGH}`,
      `${HIGH}a`,
      `a${LOW}b`,
      `${LOW}${HIGH}`,
      `${PAIR}${HIGH}`,
      `${LOW}${PAIR}`,
      '\udbff',
      '\udc00',
      '\ud800x',
    ]) {
      assert.equal(hasLoneSurrogate(text), true, JSON.stringify(text));
    }
    for (const text of ['', 'plain', PAIR, `a${PAIR}b`, `${PAIR}${PAIR}`, '\ud800\udc00', '\udbff\udfff', '\ud7ff\ue000', 'é€']) {
      assert.equal(hasLoneSurrogate(text), false, JSON.stringify(text));
    }
  });

  it('anywhere in a parsed JSON value: a string, an element, a member value or a member name, nested', () => {
    for (const value of [HIGH, [1, 'a', LOW], { a: { b: [HIGH] } }, { [`k${LOW}`]: 1 }, [{ ok: 'x' }, { bad: `${HIGH}` }]]) {
      assert.equal(loneSurrogateIn(value), true, JSON.stringify(value));
    }
    for (const value of [null, 5, true, 'x', PAIR, [PAIR, 1, null], { [PAIR]: { a: [PAIR] } }, {}, []]) {
      assert.equal(loneSurrogateIn(value), false, JSON.stringify(value));
    }
  });
});
