import { randomUUID } from 'node:crypto';
import { hashSecret } from '../src/auth/secrets.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/ports/store.ts';
import { SqliteStore } from '../src/store/sqlite/store.ts';

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const userNameOf = (i: number) => `user${i}@bench.example.com`;
export const externalIdOf = (i: number) => `ext-${i}`;
export const workEmailOf = (i: number) => `work.${i}@bench.example.com`;
/** The path of a filtered list of users, as an identity provider asks it. */
export const filterPath = (filter: string) => `/scim/v2/Users?filter=${encodeURIComponent(filter)}`;

/** The writes benchmarks' create (bench/writes.ts, bench/write-cpu.ts): Entra-shaped, a userName no seeded user has. */
export function newUserBody(n: number): string {
  const name = `new${n}-${randomUUID().slice(0, 8)}`;
  return JSON.stringify({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    userName: `${name}@bench.example.com`,
    externalId: name,
    active: true,
    displayName: `Given ${name}`,
    name: { givenName: 'Given', familyName: name, formatted: `Given ${name}` },
    emails: [
      { value: `${name}@bench.example.com`, type: 'work', primary: true },
      { value: `${name}@home.example.com`, type: 'home' },
    ],
    title: 'Engineer',
    [ENTERPRISE]: { department: `Dept${n % 50}`, employeeNumber: String(n) },
  });
}

/** The writes benchmarks' PATCH: Entra's replace of active and title. */
export function patchUserBody(n: number): string {
  return JSON.stringify({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [
      { op: 'Replace', path: 'active', value: n % 2 === 0 },
      { op: 'Replace', path: 'title', value: `Title ${n}` },
    ],
  });
}

/** An Entra-shaped user: userName, name, two emails, enterprise department and manager. */
function userDoc(i: number, managerId: string | undefined) {
  return {
    userName: userNameOf(i),
    externalId: externalIdOf(i),
    name: { givenName: `Given${i}`, familyName: `Family${i % 977}`, formatted: `Given${i} Family${i % 977}` },
    displayName: `Given${i} Family${i % 977}`,
    active: true,
    emails: [
      { value: workEmailOf(i), type: 'work', primary: true },
      { value: `home.${i}@bench.example.com`, type: 'home' },
    ],
    [ENTERPRISE]: { department: `Dept${i % 50}`, ...(managerId ? { manager: { value: managerId } } : {}) },
  };
}

/** Seeds a tenant with `users` users and `groups` groups straight through the store. */
export interface Seeded {
  readonly tenantId: string;
  readonly userIds: readonly string[];
  /** A group whose members are every seeded user, and one with none. */
  readonly bigGroupId: string;
  readonly emptyGroupId: string;
}

/** Rows a seeding transaction writes (createMany): one commit per batch, not per user. */
const SEED_BATCH = 1_000;
const SEED_WIDTH = 8;

export interface SeedUsers {
  /** Users first … first + count - 1 (their userNames and externalIds are numbered so). */
  readonly first?: number;
  readonly count: number;
  readonly now: string;
  /**
   * Transactions at once: PostgreSQL gains from several, SQLite serialises them anyway. At most
   * SEED_WIDTH: a transaction of SEED_BATCH creates holds its pooled connection for seconds, and
   * more of them than the pool has connections (10) would wait past the connect timeout.
   */
  readonly width?: number;
  /** Hears how many of `count` are created so far, after each transaction. */
  readonly progress?: (done: number) => void;
}

/**
 * Creates Entra-shaped users (user i managed by user i / 10 of the same call) through the store
 * in bulk, SEED_BATCH to a transaction, and returns their ids in order.
 */
export async function seedUsers(store: Store, tenantId: string, options: SeedUsers): Promise<string[]> {
  const { first = 0, count, now, progress } = options;
  const width = Math.min(options.width ?? 1, SEED_WIDTH);
  const userIds = Array.from({ length: count }, () => randomUUID());
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let from = next; from < count; from = next) {
      next += SEED_BATCH;
      const commands = userIds.slice(from, from + SEED_BATCH).map((id, j) => {
        const i = from + j;
        const manager = i > 0 ? userIds[Math.floor(i / 10)] : undefined;
        return { resourceType: 'User' as const, id, doc: userDoc(first + i, manager), now };
      });
      const results = await store.createMany(tenantId, commands, 1);
      const failed = results.find((r) => r instanceof Error);
      if (failed || results.length !== commands.length) throw failed ?? new Error('a seeding batch stopped short');
      progress?.((done += commands.length));
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return userIds;
}

export async function seed(databaseUrl: string, users: number, groups: number, token: string): Promise<Seeded> {
  const store = await openStore(databaseUrl);
  await store.migrate();
  const tenantId = randomUUID();
  const now = new Date().toISOString();
  await store.createTenant({ id: tenantId, name: 'bench', createdAt: now });
  await store.createToken({ id: 'tok_bench', tenantId, hash: hashSecret(token), createdAt: now });
  const userIds = await seedUsers(store, tenantId, { count: users, now });
  for (let g = 0; g < groups; g++) {
    const members = userIds.slice(g * 10, g * 10 + 10).map((value) => ({ value }));
    await store.create(tenantId, { resourceType: 'Group', id: randomUUID(), doc: { displayName: `Group ${g}` }, members, now });
  }
  const bigGroupId = randomUUID();
  const emptyGroupId = randomUUID();
  await store.create(tenantId, {
    resourceType: 'Group',
    id: bigGroupId,
    doc: { displayName: 'Everyone' },
    members: userIds.map((value) => ({ value })),
    now,
  });
  await store.create(tenantId, { resourceType: 'Group', id: emptyGroupId, doc: { displayName: 'Nobody' }, now });
  await store.close();
  return { tenantId, userIds, bigGroupId, emptyGroupId };
}

/**
 * A SQLite file with one tenant, `token` and `users` users seeded through the store, checkpointed
 * into the one file, for the writes benchmarks to copy; returns the users' ids.
 */
export async function seededSqliteFile(file: string, users: number, token: string): Promise<string[]> {
  const store = await openStore(`sqlite:${file}`);
  await store.migrate();
  const now = new Date().toISOString();
  const tenantId = randomUUID();
  await store.createTenant({ id: tenantId, name: 'bench', createdAt: now });
  await store.createToken({ id: 'tok_bench', tenantId, hash: hashSecret(token), createdAt: now });
  const ids = await seedUsers(store, tenantId, { count: users, now });
  if (store instanceof SqliteStore) store.database.pragma('wal_checkpoint(TRUNCATE)');
  await store.close();
  return ids;
}
