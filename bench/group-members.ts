/**
 * npm run bench (GroupMembers, issue 18; docs/group-members.md) — a group of BENCH_GM_MEMBERS
 * (1,000,000) users on SQLite, then PostgreSQL, with GroupMembers enabled for its tenant:
 *
 * - one member added and removed, one request at a time: POST and DELETE /GroupMembers, and the
 *   same as PATCH /Groups/{id} (how Entra ID and Okta write members); p50, p99 (goal: p99 < 50 ms);
 * - an Okta-sized PATCH: 256 members added in one PATCH, then removed in one (goal: < 1 s);
 * - every member paged through by cursor, GET /GroupMembers?filter=group.value eq "…"&count=1000,
 *   the time of each tenth of the walk (goal: flat, the last pages as fast as the first);
 * - GET /Groups/{id}?excludedAttributes=members of the million-member group and of an empty one,
 *   interleaved (goal: the same).
 *
 * The users and the memberships are written by SQL (seedMembers): a million users through the
 * store take 23 minutes on SQLite and hours on PostgreSQL on a loaded machine (docs/performance.md,
 * "A million users"), and none of their attributes but the names matter here.
 *
 * Environment: BENCH_GM_MEMBERS (1000000), BENCH_GM_WRITES adds and removes per way (200),
 * BENCH_GM_PATCHES rounds of 256 (10), BENCH_GM_READS GETs of each group (200), BENCH_STORES.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { hashSecret } from '../src/auth/secrets.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/ports/store.ts';
import type { PostgresStore } from '../src/store/postgres/store.ts';
import type { SqliteStore } from '../src/store/sqlite/store.ts';
import { SCIMD_ENTRY, startScimd } from './scimd-process.ts';
import { onEachStore } from './stores.ts';

const MEMBERS = Number(process.env['BENCH_GM_MEMBERS'] ?? 1_000_000);
const WRITES = Number(process.env['BENCH_GM_WRITES'] ?? 200);
const PATCHES = Number(process.env['BENCH_GM_PATCHES'] ?? 10);
const READS = Number(process.env['BENCH_GM_READS'] ?? 200);
/** Users outside the group, added and removed by the writes: an Okta PATCH's worth. */
const OUTSIDERS = 256;
const TOKEN = 'bench-group-members-0123456789abcdef';
const TENANT = 'bench-gm';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP_MEMBER = 'urn:ietf:params:scim:schemas:core:2.0:GroupMember';
const root = new URL('..', import.meta.url).pathname;

interface Seeded {
  readonly bigGroupId: string;
  readonly emptyGroupId: string;
  readonly outsiders: readonly string[];
}

/** SQL of the users and memberships, per database: `n` users numbered from `first`, then `count` memberships of group row `group`. */
const SEED_SQL = {
  sqlite: {
    users: `WITH RECURSIVE s(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM s WHERE i < ?)
      INSERT INTO resources (tenant_id, resource_type, id, doc, version, created_ms, modified_ms, name_key, display_name, ref_display)
      SELECT ?, 'User', lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-a'
          || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
        json_object('userName', 'gm' || i || '@bench.example.com', 'displayName', 'Member ' || i), 1, ?, ?,
        'gm' || i || '@bench.example.com', 'member ' || i, 'Member ' || i
      FROM s`,
    members: `INSERT INTO memberships (tenant_id, group_row, member_row, member_type, created_ms)
      SELECT ?, ?, row_key, 'User', ? FROM resources WHERE tenant_id = ? AND resource_type = 'User' ORDER BY row_key LIMIT ?`,
  },
  postgres: {
    users: `INSERT INTO resources (tenant_id, resource_type, id, doc, version, created_ms, modified_ms, name_key, display_name, ref_display)
      SELECT $3, 'User', gen_random_uuid()::text,
        jsonb_build_object('userName', 'gm' || i || '@bench.example.com', 'displayName', 'Member ' || i), 1, $4, $5,
        'gm' || i || '@bench.example.com', 'member ' || i, 'Member ' || i
      FROM generate_series($1::int, $2::int) i`,
    members: `INSERT INTO memberships (tenant_id, group_row, member_row, member_type, created_ms)
      SELECT $1, $2, row_key, 'User', $3 FROM resources WHERE tenant_id = $4 AND resource_type = 'User' ORDER BY row_key LIMIT $5`,
  },
};

/** Runs one seeding statement on the store's own connection. */
async function exec(store: Store, statement: keyof (typeof SEED_SQL)['sqlite'] | 'vacuum', params: readonly unknown[] = []): Promise<void> {
  if (store.capabilities.dialect === 'sqlite') {
    const db = (store as SqliteStore).database;
    if (statement === 'vacuum') db.exec('ANALYZE');
    else db.prepare(SEED_SQL.sqlite[statement]).run(...params);
  } else {
    await (store as PostgresStore).pool.query(statement === 'vacuum' ? 'VACUUM ANALYZE' : SEED_SQL.postgres[statement], [...params]);
  }
}

/** The database of `databaseUrl` for seeding: statements of a million rows outlast the service's 5 s bound. */
function unbounded(databaseUrl: string): string {
  if (!databaseUrl.startsWith('postgres')) return databaseUrl;
  const url = new URL(databaseUrl);
  url.searchParams.set('statement_timeout', '3600000');
  return url.toString();
}

async function seedMembers(databaseUrl: string): Promise<Seeded> {
  const store = await openStore(unbounded(databaseUrl));
  await store.migrate();
  const tenantId = randomUUID();
  const now = new Date().toISOString();
  const nowMs = Date.parse(now);
  await store.createTenant({ id: tenantId, name: TENANT, createdAt: now });
  await store.createToken({ id: 'tok_bench_gm', tenantId, hash: hashSecret(TOKEN), createdAt: now });
  const t0 = performance.now();
  const bigGroupId = randomUUID();
  const emptyGroupId = randomUUID();
  // The group first, so that its row is not among the users the memberships take in row order.
  await store.create(tenantId, { resourceType: 'Group', id: bigGroupId, doc: { displayName: 'Everyone' }, now });
  await store.create(tenantId, { resourceType: 'Group', id: emptyGroupId, doc: { displayName: 'Nobody' }, now });
  const step = 100_000;
  for (let first = 0; first < MEMBERS + OUTSIDERS; first += step) {
    await exec(store, 'users', [first, Math.min(first + step, MEMBERS + OUTSIDERS) - 1, tenantId, nowMs, nowMs]);
  }
  const groupRow = await rowKeyOf(store, tenantId, bigGroupId);
  // The outsiders are the last users: the first MEMBERS by row are the members.
  await exec(store, 'members', [tenantId, groupRow, nowMs, tenantId, MEMBERS]);
  const outsiders = await lastUsers(store, tenantId);
  await exec(store, 'vacuum');
  console.log(`seeded ${MEMBERS} members and ${OUTSIDERS} other users in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await store.close();
  return { bigGroupId, emptyGroupId, outsiders };
}

async function rowKeyOf(store: Store, tenantId: string, id: string): Promise<number> {
  const query = 'SELECT row_key FROM resources WHERE tenant_id = $1 AND id = $2';
  if (store.capabilities.dialect === 'sqlite') {
    return (store as SqliteStore).database.prepare(query.replace(/\$\d/g, '?')).pluck().get(tenantId, id) as number;
  }
  return Number((await (store as PostgresStore).pool.query<{ row_key: string }>(query, [tenantId, id])).rows[0]!.row_key);
}

async function lastUsers(store: Store, tenantId: string): Promise<string[]> {
  const query = `SELECT id FROM resources WHERE tenant_id = $1 AND resource_type = 'User' ORDER BY row_key DESC LIMIT ${OUTSIDERS}`;
  if (store.capabilities.dialect === 'sqlite') {
    return (store as SqliteStore).database.prepare(query.replace(/\$\d/g, '?')).pluck().all(tenantId) as string[];
  }
  return (await (store as PostgresStore).pool.query<{ id: string }>(query, [tenantId])).rows.map((r) => r.id);
}

/** `scimd resource-types enable`, as an operator does (docs/resource-types.md). */
function enableGroupMembers(databaseUrl: string): void {
  execFileSync(process.execPath, [SCIMD_ENTRY, 'resource-types', 'enable', '--tenant', TENANT, 'GroupMembers'], {
    cwd: root,
    env: { ...process.env, SCIMD_DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const f = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

async function main() {
  await onEachStore(async (bench) => {
    const seeded = await seedMembers(bench.databaseUrl);
    enableGroupMembers(bench.databaseUrl);
    const port = 18190 + bench.index;
    const scimd = await startScimd({ SCIMD_DATABASE_URL: bench.databaseUrl }, port);
    const base = `http://127.0.0.1:${port}/scim/v2`;
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' };
    async function call(method: string, path: string, body?: unknown): Promise<{ ms: number; json: Record<string, unknown> | undefined }> {
      const t0 = performance.now();
      const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
      return { ms, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
    }
    const patchMembers = (op: 'add' | 'remove', ids: readonly string[]) =>
      op === 'add'
        ? call('PATCH', `/Groups/${seeded.bigGroupId}`, {
            schemas: [PATCH_OP],
            Operations: [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }],
          })
        : call('PATCH', `/Groups/${seeded.bigGroupId}`, {
            schemas: [PATCH_OP],
            Operations: ids.map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })),
          });
    const rows: string[][] = [];
    const row = (scenario: string, ms: readonly number[], goal: string) =>
      rows.push([scenario, String(ms.length), f(quantile(ms, 0.5)), f(quantile(ms, 0.99)), f(Math.max(...ms)), goal]);
    try {
      // One member in and out, each way, one request at a time.
      const posts: number[] = [];
      const deletes: number[] = [];
      const patchAdds: number[] = [];
      const patchRemoves: number[] = [];
      for (let i = 0; i < WRITES; i++) {
        const member = seeded.outsiders[i % OUTSIDERS]!;
        const added = await call('POST', '/GroupMembers', {
          schemas: [GROUP_MEMBER],
          group: { value: seeded.bigGroupId },
          member: { value: member },
        });
        posts.push(added.ms);
        deletes.push((await call('DELETE', `/GroupMembers/${added.json!['id']}`)).ms);
        patchAdds.push((await patchMembers('add', [member])).ms);
        patchRemoves.push((await patchMembers('remove', [member])).ms);
      }
      row('POST /GroupMembers (add one member)', posts, 'p99 < 50');
      row('DELETE /GroupMembers/{id} (remove one)', deletes, 'p99 < 50');
      row('PATCH /Groups/{id}: add one member', patchAdds, 'p99 < 50');
      row('PATCH /Groups/{id}: remove one member', patchRemoves, 'p99 < 50');
      // Okta-sized PATCHes: 256 members in one request, then out again.
      const adds256: number[] = [];
      const removes256: number[] = [];
      for (let i = 0; i < PATCHES; i++) {
        adds256.push((await patchMembers('add', seeded.outsiders)).ms);
        removes256.push((await patchMembers('remove', seeded.outsiders)).ms);
      }
      row('PATCH /Groups/{id}: add 256 members', adds256, '< 1000');
      row('PATCH /Groups/{id}: remove 256 members', removes256, '< 1000');
      // Lean GETs of the big group and of the empty one, interleaved.
      const big: number[] = [];
      const empty: number[] = [];
      for (let i = 0; i < READS; i++) {
        big.push((await call('GET', `/Groups/${seeded.bigGroupId}?excludedAttributes=members`)).ms);
        empty.push((await call('GET', `/Groups/${seeded.emptyGroupId}?excludedAttributes=members`)).ms);
      }
      row(`GET /Groups/{id}?excludedAttributes=members, ${MEMBERS} members`, big, 'as the empty group');
      row('GET /Groups/{id}?excludedAttributes=members, empty group', empty, '');
      // The walk: every member by cursor, 1,000 a page.
      const filter = encodeURIComponent(`group.value eq "${seeded.bigGroupId}"`);
      const pages: number[] = [];
      let seen = 0;
      let path: string | undefined = `/GroupMembers?filter=${filter}&count=1000&cursor=`;
      const t0 = performance.now();
      while (path) {
        const page = await call('GET', path);
        pages.push(page.ms);
        seen += (page.json!['Resources'] as unknown[]).length;
        const next = page.json!['nextCursor'] as string | undefined;
        path = next ? `/GroupMembers?filter=${filter}&count=1000&cursor=${next}` : undefined;
      }
      const walkSeconds = (performance.now() - t0) / 1000;
      if (seen !== MEMBERS) throw new Error(`the walk saw ${seen} members, not ${MEMBERS}`);
      row('GET /GroupMembers by cursor, 1,000 a page (every page)', pages, 'flat');
      // Tenths of the walk (fewer parts for a walk of fewer than ten pages).
      const parts = Math.min(10, pages.length);
      const tenths = Array.from({ length: parts }, (_, t) => {
        const part = pages.slice(Math.floor((t * pages.length) / parts), Math.floor(((t + 1) * pages.length) / parts));
        return f(quantile(part, 0.5));
      });
      // Printed at once: a failure on the next store loses nothing of this one.
      console.log(`\n${bench.name}: a group of ${MEMBERS} members, one client\n`);
      console.log('| scenario | requests | p50 ms | p99 ms | max ms | goal ms |');
      console.log('|---|---:|---:|---:|---:|---|');
      for (const cells of rows) console.log(`| ${cells.join(' | ')} |`);
      console.log(`\nThe walk: ${pages.length} pages in ${walkSeconds.toFixed(1)} s; median page ms by tenth: ${tenths.join(', ')}`);
    } finally {
      scimd.kill();
    }
  });
}

await main();
