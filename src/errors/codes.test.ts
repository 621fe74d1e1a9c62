import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SCIM_TYPES, STATUS_FOR_SCIM_TYPE } from './codes.ts';

const PAGE = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

/** The body of the page's `## <title>` section. */
function section(markdown: string, title: string): string {
  const found = markdown.split(/^## /m).find((part) => part.startsWith(`${title}\n`));
  assert.ok(found !== undefined, `docs/errors.md has a "## ${title}" section`);
  return found;
}

/** Table rows whose first cell is a code span: that name → the numbers of the second cell. */
function tableRows(text: string): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name === undefined) continue;
    assert.ok(!rows.has(name), `docs/errors.md lists ${name} twice`);
    rows.set(name, (cells[2] ?? '').match(/\d{3}/g)?.map(Number) ?? []);
  }
  return rows;
}

const documented = tableRows(section(PAGE, 'scimType values'));
const documentedStatuses = new Set([...tableRows(section(PAGE, 'HTTP statuses')).keys()].map(Number));

describe('docs/errors.md and src/errors/codes.ts (RFC 7644 §3.12 Table 9, RFC 9865 §2.3) list the same scimTypes', () => {
  it('documents every scimType the code knows', () => {
    const missing = SCIM_TYPES.filter((type) => !documented.has(type));
    assert.deepEqual(missing, [], `scimTypes missing from docs/errors.md: ${missing.join(', ')}`);
  });

  it('documents no scimType the code does not know', () => {
    const known: readonly string[] = SCIM_TYPES;
    const unknown = [...documented.keys()].filter((type) => !known.includes(type));
    assert.deepEqual(unknown, [], `docs/errors.md lists scimTypes that src/errors/codes.ts does not: ${unknown.join(', ')}`);
  });

  it('gives each scimType the statuses the code lets it travel with', () => {
    for (const [type, statuses] of documented) {
      const allowed = STATUS_FOR_SCIM_TYPE[type as keyof typeof STATUS_FOR_SCIM_TYPE];
      if (allowed === undefined) continue; // reported by the test above
      assert.deepEqual([...allowed].sort(), [...statuses].sort(), `status of ${type}`);
    }
  });

  it("lists every scimType's status in the table of HTTP statuses", () => {
    for (const [type, statuses] of documented) {
      for (const status of statuses) assert.ok(documentedStatuses.has(status), `${type}: ${status} is not in "## HTTP statuses"`);
    }
  });
});
