import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_SCHEMA, GROUP_SCHEMA, type Harness, type Reply, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

/**
 * docs/limits.md "Indexed attributes": userName, displayName and externalId hold at most 512
 * characters; the value of emails, phoneNumbers, ims, photos, entitlements and roles 512, their
 * type 64. At the limit a value is stored and found by a filter on every store (PostgreSQL used
 * to answer 500, SQLSTATE 54000, from about 2,700 bytes); one character more is 400 invalidValue,
 * the same on both stores.
 */

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/**
 * `length` characters of the supplementary planes (4 bytes each in UTF-8, the most a character
 * takes) in no repeating pattern, so that no compression of an index entry can make it fit.
 */
function widest(length: number, seed: number): string {
  let state = seed;
  let text = '';
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    text += String.fromCodePoint(0x10000 + (state % 0x100000));
  }
  return text;
}

interface Case {
  readonly attribute: string;
  readonly limit: number;
  readonly endpoint: '/Users' | '/Groups';
  /** The resource with `value` in the attribute. */
  readonly body: (value: string, serial: number) => Record<string, unknown>;
  /** A filter that finds it. */
  readonly filter: (value: string) => string;
}

const user = (serial: number, extra: Record<string, unknown>) => ({
  schemas: [USER_SCHEMA],
  userName: `len${serial}@example.com`,
  ...extra,
});
const group = (serial: number, extra: Record<string, unknown>) => ({
  schemas: [GROUP_SCHEMA],
  displayName: `len group ${serial}`,
  ...extra,
});
const quoted = (value: string) => JSON.stringify(value);
/** A multi-valued attribute's element with `value` (the longest type beside it) or `type` (a plain value). */
const elementCases = (attribute: string): Case[] => [
  {
    attribute: `${attribute}.value`,
    limit: 512,
    endpoint: '/Users',
    body: (value, serial) => user(serial, { [attribute]: [{ value, type: widest(64, serial) }] }),
    filter: (value) => `${attribute}.value eq ${quoted(value)}`,
  },
  {
    attribute: `${attribute}.type`,
    limit: 64,
    endpoint: '/Users',
    body: (type, serial) => user(serial, { [attribute]: [{ value: widest(512, serial), type }] }),
    filter: (type) => `${attribute}[type eq ${quoted(type)}]`,
  },
];

const CASES: readonly Case[] = [
  {
    attribute: 'userName',
    limit: 512,
    endpoint: '/Users',
    body: (value) => ({ schemas: [USER_SCHEMA], userName: value }),
    filter: (value) => `userName eq ${quoted(value)}`,
  },
  {
    attribute: 'displayName',
    limit: 512,
    endpoint: '/Users',
    body: (value, serial) => user(serial, { displayName: value }),
    filter: (value) => `displayName eq ${quoted(value)}`,
  },
  {
    attribute: 'externalId',
    limit: 512,
    endpoint: '/Users',
    body: (value, serial) => user(serial, { externalId: value }),
    filter: (value) => `externalId eq ${quoted(value)}`,
  },
  {
    attribute: 'displayName',
    limit: 512,
    endpoint: '/Groups',
    body: (value) => ({ schemas: [GROUP_SCHEMA], displayName: value }),
    filter: (value) => `displayName eq ${quoted(value)}`,
  },
  {
    attribute: 'externalId',
    limit: 512,
    endpoint: '/Groups',
    body: (value, serial) => group(serial, { externalId: value }),
    filter: (value) => `externalId eq ${quoted(value)}`,
  },
  ...['emails', 'phoneNumbers', 'ims', 'photos', 'entitlements', 'roles'].flatMap(elementCases),
];

function assertTooLong(res: Reply, attribute: string, limit: number, length = limit + 1): void {
  assert.equal(res.status, 400, res.raw);
  assert.deepEqual(res.body.schemas, [ERROR_SCHEMA]);
  assert.equal(res.body.scimType, 'invalidValue');
  assert.match(
    res.body.detail,
    new RegExp(
      `^(Operations\\[\\d+\\]: )?attribute "${attribute.replace('.', '(\\[0\\])?\\.')}": at most ${limit} characters, this value has ${length}$`,
    ),
  );
}

describe('docs/limits.md, indexed attributes: the longest value is stored and found; one character more is 400 invalidValue', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  CASES.forEach((c, i) => {
    it(`${c.endpoint} ${c.attribute}: ${c.limit} characters of 4 bytes each are stored and found; ${c.limit + 1} or 3000 are refused`, async () => {
      const longest = widest(c.limit, 1000 + i);
      const created = await h.request('POST', c.endpoint, { body: c.body(longest, i) });
      assert.equal(created.status, 201, created.raw);
      const found = await h.request('POST', `${c.endpoint}/.search`, { body: { schemas: [SEARCH], filter: c.filter(longest) } });
      assert.equal(found.status, 200, found.raw);
      assert.deepEqual(
        found.body.Resources.map((r: { id: string }) => r.id),
        [created.body.id],
      );
      assertTooLong(await h.request('POST', c.endpoint, { body: c.body(`${longest}x`, 100 + i) }), c.attribute, c.limit);
      // Where PostgreSQL's index used to give up (SQLSTATE 54000, a 500): 3,000 characters.
      const far = widest(3000, 2000 + i);
      assertTooLong(await h.request('POST', c.endpoint, { body: c.body(far, 200 + i) }), c.attribute, c.limit, 3000);
    });
  });

  it('PATCH and PUT are held to the same limits, and the stored resource stays as it was', async () => {
    const created = await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: 'patched@example.com' } });
    const id: string = created.body.id;
    const tooLong = 'é'.repeat(513);
    assertTooLong(
      await h.request('PATCH', `/Users/${id}`, {
        body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: tooLong }] },
      }),
      'userName',
      512,
    );
    assertTooLong(
      await h.request('PATCH', `/Users/${id}`, {
        body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails', value: [{ value: tooLong, type: 'work' }] }] },
      }),
      'emails.value',
      512,
    );
    assertTooLong(
      await h.request('PUT', `/Users/${id}`, { body: { schemas: [USER_SCHEMA], userName: 'patched@example.com', displayName: tooLong } }),
      'displayName',
      512,
    );
    const stored = await h.request('GET', `/Users/${id}`);
    assert.equal(stored.body.userName, 'patched@example.com');
    assert.equal(stored.body.displayName, undefined);
    assert.equal(stored.body.meta.version, created.body.meta.version);
  });

  it('/Schemas states each limit in the attribute description (RFC 7643 §7 has no characteristic for it)', async () => {
    const schema = (await h.request('GET', `/Schemas/${USER_SCHEMA}`)).body;
    const attribute = (name: string) => schema.attributes.find((a: { name: string }) => a.name === name);
    // After the attribute's own description (RFC 7643 §8.7.1's sentences, each ending in a period).
    const limited = (description: string, n: number) => assert.match(description, new RegExp(`\\S[.] At most ${n} characters[.]$`));
    limited(attribute('userName').description, 512);
    limited(attribute('displayName').description, 512);
    const emails = attribute('emails').subAttributes;
    limited(emails.find((a: { name: string }) => a.name === 'value').description, 512);
    limited(emails.find((a: { name: string }) => a.name === 'type').description, 64);
    assert.equal(attribute('title').description, 'The user\'s title, such as "Vice President."');
    const groupSchema = (await h.request('GET', `/Schemas/${GROUP_SCHEMA}`)).body;
    limited(groupSchema.attributes.find((a: { name: string }) => a.name === 'displayName').description, 512);
  });
});
