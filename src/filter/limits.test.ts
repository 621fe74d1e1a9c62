import { describe, it } from 'node:test';
import { parseFilter } from './parser.ts';
import { parsePatchPath } from './path.ts';
import { assertScimError } from './testing/helpers.ts';

describe('RFC 7644 §3.5.2 PATCH path limits (docs/filtering.md): 4,096 characters unless the caller says otherwise', () => {
  it('a path of exactly the maximum length is parsed; one character more is 400 invalidPath', () => {
    const exact = `emails[value eq "${'x'.repeat(4096 - 'emails[value eq ""]'.length)}"]`;
    parsePatchPath(exact);
    parsePatchPath(exact, { maxDepth: 4 });
    for (const limits of [undefined, { maxDepth: 4 }]) {
      assertScimError(() => parsePatchPath(`${exact} `, limits), {
        scimType: 'invalidPath',
        detail: 'path longer than 4096 characters at offset 4096',
      });
    }
    assertScimError(() => parsePatchPath('emails', { maxLength: 5 }), {
      scimType: 'invalidPath',
      detail: 'path longer than 5 characters at offset 5',
    });
  });

  it('the nesting limit holds inside a path filter when only the length is given', () => {
    // The bracket is a level: the 32nd parenthesis (offset 7 + 31) is the 33rd.
    const deep = `emails[${'('.repeat(33)}value pr${')'.repeat(33)}]`;
    assertScimError(() => parsePatchPath(deep, { maxLength: 10_000 }), {
      scimType: 'invalidFilter',
      detail: 'filter nested deeper than 32 levels at offset 38',
    });
  });
});

describe('RFC 7644 §3.12 error details name the token found, cut after 40 characters', () => {
  it('a token of 40 characters is quoted whole, a longer one cut with an ellipsis', () => {
    const forty = 'a'.repeat(40);
    assertScimError(() => parseFilter(`userName pr ${forty}`), {
      scimType: 'invalidFilter',
      detail: `expected "and", "or" or end of input, found "${forty}" at offset 12`,
    });
    assertScimError(() => parseFilter(`userName pr ${forty}b`), {
      scimType: 'invalidFilter',
      detail: `expected "and", "or" or end of input, found "${forty}…" at offset 12`,
    });
  });
});
