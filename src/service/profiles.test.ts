import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { conformsToInteropProfile, PROFILES, parseOverrides, parseProfileName, resolveProfile } from './profiles.ts';

const badRequest = (detail: RegExp) => (error: unknown) =>
  error instanceof ScimError && error.status === 400 && error.scimType === undefined && detail.test(error.detail);

describe('compatibility profiles (docs/profiles.md)', () => {
  it('a profile name is one of lenient, strict, entra, okta; anything else is 400', () => {
    for (const name of ['lenient', 'strict', 'entra', 'okta']) assert.equal(parseProfileName(name), name);
    for (const name of ['Strict', 'rfc', '', 1, undefined]) {
      assert.throws(() => parseProfileName(name), badRequest(/a profile is one of lenient, strict, entra, okta/));
    }
  });

  it('overrides are known behaviour names with booleans; anything else is 400 naming it', () => {
    assert.deepEqual(parseOverrides({ uniqueGroupDisplayName: true }), { uniqueGroupDisplayName: true });
    assert.deepEqual(parseOverrides(undefined), {});
    assert.throws(() => parseOverrides({ uniqueGroupNames: true }), badRequest(/"uniqueGroupNames" is not a profile behaviour/));
    assert.throws(() => parseOverrides({ uniqueGroupDisplayName: 'true' }), badRequest(/true or false; got "true"/));
    assert.throws(() => parseOverrides([]), badRequest(/an object/));
  });

  it('issue 16: a tenant may opt in to unique group names under any profile, and out of them under entra', () => {
    for (const name of ['lenient', 'strict', 'okta']) {
      assert.equal(resolveProfile({ name, overrides: {} }).uniqueGroupDisplayName, false, name);
      assert.equal(resolveProfile({ name, overrides: { uniqueGroupDisplayName: true } }).uniqueGroupDisplayName, true, name);
    }
    assert.equal(resolveProfile({ name: 'entra', overrides: {} }).uniqueGroupDisplayName, true);
    assert.equal(resolveProfile({ name: 'entra', overrides: { uniqueGroupDisplayName: false } }).uniqueGroupDisplayName, false);
  });

  it('an override keeps the rest of the profile, and one naming no behaviour (dropped since) is ignored', () => {
    const strict = resolveProfile({ name: 'strict', overrides: { requirePatchPath: false, gone: true } });
    assert.equal(strict.requirePatchPath, false);
    assert.equal(strict.rejectUnknownAttributes, true);
    assert.equal('gone' in strict, false);
  });

  it('draft-zollner-scim-interop-profile-02 §3: conformance is claimed for strict only, and not once a required behaviour is turned off', () => {
    assert.deepEqual(
      Object.entries(PROFILES)
        .filter(([, behaviours]) => conformsToInteropProfile(behaviours))
        .map(([name]) => name),
      ['strict'],
    );
    assert.equal(conformsToInteropProfile(resolveProfile({ name: 'strict', overrides: { rejectUnknownAttributes: false } })), false);
    assert.equal(conformsToInteropProfile(resolveProfile({ name: 'strict', overrides: { uniqueGroupDisplayName: true } })), true);
  });
});

/** The behaviours of each profile, as issue 16 and the interop draft ask for them (docs/profiles.md). */
const EXPECTED = {
  requirePatchPath: { lenient: false, strict: true, entra: false, okta: false },
  replaceComplexWhole: { lenient: false, strict: true, entra: false, okta: false },
  rejectUnknownAttributes: { lenient: false, strict: true, entra: false, okta: false },
  uniqueGroupDisplayName: { lenient: false, strict: false, entra: true, okta: false },
  rejectMismatchedMemberType: { lenient: false, strict: true, entra: false, okta: false },
  rejectUnknownMembers: { lenient: false, strict: true, entra: false, okta: false },
  requireQuotedFilterValues: { lenient: false, strict: true, entra: false, okta: false },
};

/** The behaviours table of docs/profiles.md: `| \`name\` | yes/no × 4 | what it changes |`. */
function documentedTable(): Record<string, Record<string, boolean>> {
  const doc = readFileSync(new URL('../../docs/profiles.md', import.meta.url), 'utf8');
  const header = doc.split('\n').findIndex((line) => line.startsWith('| behaviour |'));
  const columns = doc
    .split('\n')
    [header]!.split('|')
    .slice(2, 6)
    .map((c) => c.trim());
  const table: Record<string, Record<string, boolean>> = {};
  for (const line of doc.split('\n').slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').map((c) => c.trim());
    table[cells[1]!.replaceAll('`', '')] = Object.fromEntries(columns.map((profile, i) => [profile, cells[i + 2] === 'yes']));
  }
  return table;
}

describe('docs/profiles.md lists the behaviours of each profile', () => {
  it('the table in the docs is the one issue 16 asks for', () => {
    assert.deepEqual(documentedTable(), EXPECTED);
  });

  it('PROFILES, the one place in the code, is the same table', () => {
    const byBehaviour = Object.fromEntries(
      Object.keys(EXPECTED).map((name) => [
        name,
        Object.fromEntries(Object.entries(PROFILES).map(([profile, behaviours]) => [profile, behaviours[name as keyof typeof behaviours]])),
      ]),
    );
    assert.deepEqual(byBehaviour, EXPECTED);
    assert.deepEqual(Object.keys(PROFILES.lenient).sort(), Object.keys(EXPECTED).sort());
  });
});
