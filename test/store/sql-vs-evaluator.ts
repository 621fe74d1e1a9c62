import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { AttrPath, CompareOp, Filter, FilterLiteral, ResolvedFilter } from '../../src/filter/ast.ts';
import { evaluateFilter } from '../../src/filter/evaluate.ts';
import { resolveFilter } from '../../src/filter/resolve.ts';
import { stringifyFilter } from '../../src/filter/stringify.ts';
import { ENTERPRISE_USER_SCHEMA_ID } from '../../src/schema/core/enterprise-user.ts';
import { USER_SCHEMA_ID } from '../../src/schema/core/user.ts';
import { createCoreRegistry } from '../../src/schema/registry.ts';
import { toRepresentation } from '../../src/service/representation.ts';
import type { Store } from '../../src/store/ports/store.ts';
import { after, before, describe, it } from '../../src/store/testing/skippable.ts';

/**
 * docs/filtering.md says the SQL compiler and the in-memory evaluator implement exactly the same
 * rules. This checks it, for any Store: random users (and groups) go into the store, random
 * filters are resolved against the core registry, and `store.query` must return exactly the users
 * `evaluateFilter` accepts on their GET representation (toRepresentation, groups included).
 * Run by sql-vs-evaluator.property.test.ts (SQLite) and src/store/postgres/ (PostgreSQL).
 */

const ENT = ENTERPRISE_USER_SCHEMA_ID;
const registry = createCoreRegistry();
const BASE_URL = 'https://scim.example.com/scim/v2';
const T0 = Date.parse('2024-01-01T00:00:00.000Z');

// ---- data ---------------------------------------------------------------------------------

/**
 * Few distinct strings, so that filters hit: case variants, LIKE wildcards, characters whose
 * toLowerCase changes length (İ), sharp s, astral and private-use characters (code point order).
 */
const WORDS = [
  '',
  '\u0000',
  'a\u0000b',
  'a',
  'A',
  'ab',
  'Ab',
  'aB',
  'b',
  'ba',
  'abc',
  'a%',
  '%',
  '_',
  'a_b',
  'axb',
  'é',
  'É',
  'ß',
  'SS',
  'İ',
  'i',
  '😀',
  '\uE000',
  'x y',
  "o'brien",
  '\\',
  'Ω',
];
const word = fc.constantFrom(...WORDS);
const richWordOf = (word: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 4, arbitrary: word }, { weight: 1, arbitrary: fc.tuple(word, word).map(([a, b]) => a + b) });
const richWord = richWordOf(word);
/** Stored values never hold U+0000 (the validator refuses it for every store); filters may. */
const nulFreeWord = richWordOf(fc.constantFrom(...WORDS.filter((w) => !w.includes('\u0000'))));
const TYPES = ['work', 'home', 'Work', 'other', ''];
const INSTANTS = [0, 1, 1000, 1500, 60_000, 86_400_000].map((d) => T0 + d);

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });

/** Drops undefined members, as JSON would. */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const emailArbOf = (richWord: fc.Arbitrary<string>) =>
  fc.record({ value: optional(richWord), type: optional(fc.constantFrom(...TYPES)), primary: optional(fc.boolean()) }).map(compact);

const userDocArbOf = (richWord: fc.Arbitrary<string>) =>
  fc
    .record({
      displayName: optional(richWord),
      title: optional(richWord),
      externalId: optional(richWord),
      nickName: optional(richWord),
      name: optional(fc.record({ familyName: optional(richWord), givenName: optional(richWord) }).map(compact)),
      active: optional(fc.boolean()),
      emails: optional(fc.array(emailArbOf(richWord), { maxLength: 3 })),
      enterprise: optional(
        fc
          .record({
            department: optional(richWord),
            manager: optional(fc.record({ value: optional(richWord), displayName: optional(richWord) }).map(compact)),
          })
          .map(compact),
      ),
    })
    .map(({ enterprise, ...rest }) => compact({ ...rest, [ENT]: enterprise }));

interface World {
  readonly users: ReadonlyArray<{
    readonly userName: string;
    readonly doc: Record<string, unknown>;
    readonly created: number;
    readonly modified: number | undefined;
  }>;
  /** Group i contains the users `members` and the groups `subgroups` below i (nested groups). */
  readonly groups: ReadonlyArray<{
    readonly displayName: string;
    readonly members: readonly number[];
    readonly subgroups: readonly number[];
  }>;
}

/** Worlds whose stored strings are made of `richWord`. */
const worldArbOf = (richWord: fc.Arbitrary<string>): fc.Arbitrary<World> =>
  fc
    .uniqueArray(
      richWord.filter((w) => w !== ''),
      { minLength: 1, maxLength: 7, selector: (w) => w.toLowerCase() },
    )
    .chain((userNames) =>
      fc.record({
        users: fc.tuple(
          ...userNames.map((userName) =>
            fc.record({
              userName: fc.constant(userName),
              doc: userDocArbOf(richWord),
              created: fc.constantFrom(...INSTANTS),
              modified: optional(fc.constantFrom(...INSTANTS.map((t) => t + 3_600_000))),
            }),
          ),
        ),
        groups: fc.uniqueArray(
          fc.record({
            displayName: richWord.filter((w) => w !== ''),
            members: fc.uniqueArray(fc.nat({ max: userNames.length - 1 }), { maxLength: userNames.length }),
            subgroups: fc.uniqueArray(fc.nat({ max: 1 }), { maxLength: 2 }),
          }),
          { maxLength: 3, selector: (g) => g.displayName.toLowerCase() },
        ),
      }),
    );

// ---- filters ------------------------------------------------------------------------------

const path = (name: string, subAttr?: string, uri?: string): AttrPath => ({ uri, name, subAttr, offset: 0 });
const STRING_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const ORDER_OPS: readonly CompareOp[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];

/** A string literal, in any case, sometimes null (eq/ne only). */
const stringLiteral = fc.oneof({ weight: 6, arbitrary: richWord }, { weight: 2, arbitrary: richWord.map((w) => w.toUpperCase()) });
const dateLiteral = fc.oneof(
  fc.constantFrom(...INSTANTS, ...INSTANTS.map((t) => t + 3_600_000)).map((t) => new Date(t).toISOString()),
  fc.constantFrom(
    '2024-01-01T02:00:00+02:00',
    '2024-01-01T00:00:01',
    '2024-01-01T00:00:01.0009Z',
    '2024-01-01T01:00:01.500+01:00',
    '2023-12-31T24:00:00Z',
  ),
);

function stringCompare(p: AttrPath): fc.Arbitrary<Filter> {
  const ops = STRING_OPS;
  return fc
    .oneof(
      { weight: 8, arbitrary: fc.record({ op: fc.constantFrom(...ops), value: stringLiteral }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constantFrom<CompareOp>('eq', 'ne'), value: fc.constant<FilterLiteral>(null) }) },
    )
    .map(({ op, value }) => ({ kind: 'compare', path: p, op, value }));
}
const booleanCompare = (p: AttrPath): fc.Arbitrary<Filter> =>
  fc
    .record({
      op: fc.constantFrom<CompareOp>('eq', 'ne'),
      value: fc.oneof(fc.boolean(), fc.constant(null), fc.constantFrom('True', 'false')),
    })
    .map(({ op, value }) => ({ kind: 'compare', path: p, op, value }));
const dateCompare = (p: AttrPath): fc.Arbitrary<Filter> =>
  fc.record({ op: fc.constantFrom(...ORDER_OPS), value: dateLiteral }).map(({ op, value }) => ({ kind: 'compare', path: p, op, value }));
const present = (p: AttrPath): fc.Arbitrary<Filter> => fc.constant({ kind: 'present', path: p });

/** Attribute tests at the top level of a User filter. */
function userLeaf(): fc.Arbitrary<Filter> {
  const strings = [
    path('userName'),
    path('displayName'),
    path('title'),
    path('externalId'),
    path('nickName'),
    path('name', 'familyName'),
    path('name', 'givenName'),
    path('emails', 'value'),
    path('emails', 'type'),
    path('emails'),
    path('department', undefined, ENT),
    path('manager', 'value', ENT),
    path('manager', undefined, ENT),
    path('groups', 'value'),
    path('groups', 'display'),
    path('groups', 'type'),
    path('id'),
    path('meta', 'resourceType'),
    path('schemas'),
  ];
  const presentOnly = [
    path('name'),
    path('emails'),
    path('groups'),
    path('manager', undefined, ENT),
    path('meta'),
    path('active'),
    path('emails', 'primary'),
  ];
  return fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...strings).chain(stringCompare) },
    { weight: 2, arbitrary: fc.constantFrom(path('active'), path('emails', 'primary')).chain(booleanCompare) },
    { weight: 2, arbitrary: fc.constantFrom(path('meta', 'created'), path('meta', 'lastModified')).chain(dateCompare) },
    { weight: 3, arbitrary: fc.constantFrom(...strings, ...presentOnly).chain(present) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(USER_SCHEMA_ID, ENT, ENT.toUpperCase())
        .map((v): Filter => ({ kind: 'compare', path: path('schemas'), op: 'eq', value: v })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('u0', 'u1', 'U1', 'g0', 'g1', 'G2')
        .chain((v) =>
          fc.constantFrom(path('id'), path('groups', 'value')).map((p): Filter => ({ kind: 'compare', path: p, op: 'eq', value: v })),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('direct', 'indirect', 'Indirect')
        .map((v): Filter => ({ kind: 'compare', path: path('groups', 'type'), op: 'eq', value: v })),
    },
    { weight: 3, arbitrary: valuePath() },
  );
}

/** `emails[…]` (multi-valued) or `manager[…]` (single-valued complex) with a random inner filter. */
function valuePath(): fc.Arbitrary<Filter> {
  const inner = (parent: 'emails' | 'manager'): fc.Arbitrary<Filter> => {
    const leaf: fc.Arbitrary<Filter> =
      parent === 'emails'
        ? fc.oneof(
            fc.constantFrom(path('value'), path('type')).chain((p) => stringCompare(p)),
            booleanCompare(path('primary')),
            fc.constantFrom(path('value'), path('type'), path('primary')).chain(present),
          )
        : fc.oneof(
            fc.constantFrom(path('value'), path('displayName')).chain((p) => stringCompare(p)),
            fc.constantFrom(path('value')).chain(present),
          );
    return fc.letrec<{ f: Filter }>((tie) => ({
      f: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.record({ kind: fc.constantFrom<'and' | 'or'>('and', 'or'), left: tie('f'), right: tie('f') }),
        tie('f').map((filter): Filter => ({ kind: 'not', filter })),
      ),
    })).f;
  };
  return fc.oneof(
    { weight: 3, arbitrary: inner('emails').map((filter): Filter => ({ kind: 'valuePath', path: path('emails'), filter })) },
    {
      weight: 1,
      arbitrary: inner('manager').map((filter): Filter => ({ kind: 'valuePath', path: path('manager', undefined, ENT), filter })),
    },
  );
}

const userFilterArb: fc.Arbitrary<Filter> = fc.letrec<{ f: Filter }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    userLeaf(),
    fc.record({ kind: fc.constantFrom<'and' | 'or'>('and', 'or'), left: tie('f'), right: tie('f') }),
    tie('f').map((filter): Filter => ({ kind: 'not', filter })),
  ),
})).f;

// ---- the property -------------------------------------------------------------------------

interface Loaded {
  readonly tenantId: string;
  readonly representations: ReadonlyMap<string, Record<string, unknown>>;
}

async function load(store: Store, world: World): Promise<Loaded> {
  const tenantId = randomUUID();
  await store.createTenant({ id: tenantId, name: `p-${tenantId}`, createdAt: new Date(T0).toISOString() });
  for (const [i, u] of world.users.entries()) {
    const doc = { ...u.doc, userName: u.userName };
    await store.create(tenantId, { resourceType: 'User', id: `u${i}`, doc, now: new Date(u.created).toISOString() });
    if (u.modified !== undefined) {
      const now = new Date(u.modified).toISOString();
      await store.update(tenantId, { resourceType: 'User', id: `u${i}`, change: () => ({ doc: { ...doc, nickName: 'changed' }, now }) });
    }
  }
  for (const [i, g] of world.groups.entries()) {
    await store.create(tenantId, {
      resourceType: 'Group',
      id: `g${i}`,
      doc: { displayName: g.displayName },
      members: [...g.members.map((m) => ({ value: `u${m}` })), ...g.subgroups.filter((j) => j < i).map((j) => ({ value: `g${j}` }))],
      now: new Date(T0).toISOString(),
    });
  }
  const all = await store.query(tenantId, {
    targets: [{ resourceType: 'User' }],
    descending: false,
    page: { kind: 'index', startIndex: 1, count: 1000 },
    include: { groups: true },
  });
  const representations = new Map(all.resources.map((r) => [r.id, toRepresentation(registry, BASE_URL, r)]));
  return { tenantId, representations };
}

async function sqlIds(store: Store, tenantId: string, filter: ResolvedFilter): Promise<string[]> {
  const result = await store.query(tenantId, {
    targets: [{ resourceType: 'User', filter }],
    descending: false,
    page: { kind: 'index', startIndex: 1, count: 1000 },
    include: {},
  });
  assert.equal(result.totalResults, result.resources.length);
  return result.resources.map((r) => r.id).sort();
}

function evaluatorIds(loaded: Loaded, filter: ResolvedFilter): string[] {
  return [...loaded.representations]
    .filter(([, rep]) => evaluateFilter(filter, rep))
    .map(([id]) => id)
    .sort();
}

/** Checks every filter on one world; a failure message names the filter text and both answers. */
async function agree(store: Store, world: World, filters: readonly Filter[]): Promise<void> {
  const loaded = await load(store, world);
  for (const f of filters) {
    const resolved = resolveFilter(f, registry, 'User');
    const sql = await sqlIds(store, loaded.tenantId, resolved);
    const evaluated = evaluatorIds(loaded, resolved);
    assert.deepEqual(sql, evaluated, `filter ${stringifyFilter(f)}: SQL ${JSON.stringify(sql)}, evaluator ${JSON.stringify(evaluated)}`);
  }
}

export function sqlVsEvaluatorSuite(label: string, makeStore: () => Promise<Store>): void {
  const worldArb = worldArbOf(nulFreeWord);
  describe(label, () => {
    let store: Store;
    before(async () => {
      store = await makeStore();
      await store.migrate();
    });
    after(() => store.close());

    it('random filters over random users: store.query returns exactly what evaluateFilter accepts', async () => {
      await fc.assert(
        fc.asyncProperty(worldArb, fc.array(userFilterArb, { minLength: 6, maxLength: 6 }), (world, filters) =>
          agree(store, world, filters),
        ),
        // PROP_RUNS / PROP_SEED let a bug hunt run longer or elsewhere; the suite is deterministic.
        {
          numRuns: Number(process.env['PROP_RUNS'] ?? 500),
          seed: Number(process.env['PROP_SEED'] ?? 20240917),
          includeErrorInReport: true,
        },
      );
    });

    const user = (userName: string, doc: Record<string, unknown> = {}) => ({ userName, doc, created: T0, modified: undefined });
    const cmp = (name: string, op: CompareOp, value: FilterLiteral, subAttr?: string, uri?: string): Filter => ({
      kind: 'compare',
      path: path(name, subAttr, uri),
      op,
      value,
    });

    it('fixed cases that agree: ne on an absent single value, emails[type ne "work"] per element, eq null on ""', async () => {
      await agree(
        store,
        {
          users: [user('a', { title: '' }), user('b', { emails: [{ value: 'x' }] }), user('c', { emails: [{ value: 'y', type: 'work' }] })],
          groups: [],
        },
        [
          cmp('title', 'ne', 'x'),
          cmp('title', 'eq', null),
          { kind: 'valuePath', path: path('emails'), filter: cmp('type', 'ne', 'work') },
          { kind: 'valuePath', path: path('emails'), filter: { kind: 'not', filter: cmp('type', 'eq', 'work') } },
          cmp('emails', 'eq', 'X'),
        ],
      );
    });

    it('emails.type ne "work" needs an email that HAS a type other than work (docs/filtering.md, multi-valued)', async () => {
      await agree(store, { users: [user('typeless', { emails: [{ value: 'x@example.com' }] })], groups: [] }, [
        cmp('emails', 'ne', 'work', 'type'),
        cmp('emails', 'ne', true, 'primary'),
      ]);
    });

    it('an extension object without a present attribute puts no URN in schemas (docs/filtering.md, last line)', async () => {
      await agree(store, { users: [user('emptyext', { [ENT]: { department: '' } })], groups: [] }, [cmp('schemas', 'eq', ENT)]);
    });

    it('filters holding NUL (U+0000) agree with the evaluator, whatever the store holds', async () => {
      await agree(store, { users: [user('a', { title: 'x' }), user('ab', { title: 'xyz' }), user('b', {})], groups: [] }, [
        cmp('userName', 'eq', 'a\u0000'),
        cmp('userName', 'ne', 'a\u0000'),
        cmp('userName', 'gt', 'a\u0000b'),
        cmp('userName', 'ge', 'a\u0000'),
        cmp('userName', 'lt', 'a\u0000'),
        cmp('userName', 'le', 'ab\u0000'),
        cmp('title', 'co', '\u0000'),
        cmp('title', 'sw', 'x\u0000'),
        cmp('title', 'gt', 'x\u0000'),
        cmp('title', 'lt', 'xyz\u0000'),
        cmp('emails', 'eq', '\u0000', 'value'),
      ]);
    });
  });
}
