import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { tokenize } from './lexer.ts';

const kinds = (source: string) =>
  tokenize(source).map((t) => (t.value === undefined ? `${t.kind}:${t.text}` : `${t.kind}:${JSON.stringify(t.value)}`));

describe('RFC 7644 §3.4.2.2 filter lexer', () => {
  it('splits words, literals and brackets, with offsets', () => {
    assert.deepEqual(tokenize('emails[type eq "work"]'), [
      { kind: 'word', offset: 0, end: 6, text: 'emails', value: undefined },
      { kind: '[', offset: 6, end: 7, text: '[', value: undefined },
      { kind: 'word', offset: 7, end: 11, text: 'type', value: undefined },
      { kind: 'word', offset: 12, end: 14, text: 'eq', value: undefined },
      { kind: 'string', offset: 15, end: 21, text: '"work"', value: 'work' },
      { kind: ']', offset: 21, end: 22, text: ']', value: undefined },
      { kind: 'end', offset: 22, end: 22, text: '', value: undefined },
    ]);
  });

  const rows: { source: string; expected: string[] }[] = [
    {
      source: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr',
      expected: ['word:urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', 'word:pr', 'end:'],
    },
    { source: 'members.$ref  \t\r\n eq "x"', expected: ['word:members.$ref', 'word:eq', 'string:"x"', 'end:'] },
    { source: '(a pr)', expected: ['(:(', 'word:a', 'word:pr', '):)', 'end:'] },
    { source: 'x eq"y"', expected: ['word:x', 'word:eq', 'string:"y"', 'end:'] },
    { source: '"x\\" or 1=1"', expected: ['string:"x\\" or 1=1"', 'end:'] },
    {
      source: '"\\\\ \\/ \\b\\f\\n\\r\\t \\u00e9\\u00C9 \\ud83d\\ude00"',
      expected: [`string:${JSON.stringify('\\ / \b\f\n\r\t éÉ 😀')}`, 'end:'],
    },
    { source: "'x' a.b", expected: ["word:'x'", 'word:a.b', 'end:'] },
    {
      source: '0 -1 1.5 -0.25e3 2E-2 1e+2',
      expected: ['number:0', 'number:-1', 'number:1.5', 'number:-250', 'number:0.02', 'number:100', 'end:'],
    },
  ];
  for (const { source, expected } of rows) {
    it(`tokenizes ${source}`, () => assert.deepEqual(kinds(source), expected));
  }

  const errors: { source: string; detail: string }[] = [
    { source: 'a eq "abc', detail: 'unterminated string at offset 5' },
    { source: 'a eq "a\\x"', detail: 'invalid escape in string at offset 7' },
    { source: 'a eq "\\u12G4"', detail: 'invalid \\u escape in string at offset 6' },
    { source: 'a eq "a\tb"', detail: 'unescaped control character in string at offset 7' },
    { source: 'a eq 01', detail: 'invalid number "01" at offset 5' },
    { source: 'a eq 1.', detail: 'invalid number "1." at offset 5' },
    { source: 'a eq 1e', detail: 'invalid number "1e" at offset 5' },
    { source: 'a eq -', detail: 'invalid number "-" at offset 5' },
    { source: 'a eq 1=1', detail: 'invalid number "1=1" at offset 5' },
    { source: 'a eq 1e400', detail: 'number out of range at offset 5' },
    { source: 'a \u0001', detail: 'unexpected character U+0001 at offset 2' },
    { source: 'a \u001b', detail: 'unexpected character U+001B at offset 2' },
    { source: 'a \u007f', detail: 'unexpected character U+007F at offset 2' },
    { source: 'a eq "x\\ud800"', detail: 'string at offset 5 escapes an unpaired UTF-16 surrogate, which is not valid Unicode' },
    { source: 'a eq "\\udc00\\ud83d"', detail: 'string at offset 5 escapes an unpaired UTF-16 surrogate, which is not valid Unicode' },
  ];
  it('decodes an escaped surrogate pair to its character', () => {
    assert.equal(tokenize('a eq "\\ud83d\\ude00"')[2]?.value, '😀');
  });
  for (const { source, detail } of errors) {
    it(`rejects ${JSON.stringify(source)}: ${detail}`, () => {
      assert.throws(
        () => tokenize(source),
        (e: unknown) => {
          assert.ok(e instanceof ScimError);
          assert.deepEqual(
            { status: e.status, scimType: e.scimType, detail: e.detail },
            { status: 400, scimType: 'invalidFilter', detail },
          );
          return true;
        },
      );
    });
  }
});
