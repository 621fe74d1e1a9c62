import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { freePort, type Served, startServe, tempDatabaseUrl } from './process.ts';

const TOKEN = 'bootstrap-token-for-the-crash-test-0123456789';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** Writers of users: each creates a user, then PATCHes its title again and again. */
const USER_WRITERS = 24;
/** Members one group PATCH adds or removes at once: a write long enough to hold a batch open. */
const GROUP_MEMBERS = 500;
const ROUNDS = 3;

/** What the clients were told, and what they asked without an answer (at most one per writer). */
interface Told {
  /** userName → id of every create answered 201. */
  readonly created: Map<string, string>;
  /** userName → [the last title answered 200 (or none), the title of a PATCH left without an answer]. */
  readonly titles: Map<string, { acked?: string; inFlight?: string; patches: number }>;
  /** Creates sent and never answered. */
  readonly unanswered: Set<string>;
}

const scim = (served: Served, path: string, method: string, body?: unknown) =>
  fetch(`${served.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** The answer, or undefined once the server is gone (the request then stays unanswered). */
async function answer(request: Promise<Response>): Promise<Response | undefined> {
  try {
    const res = await request;
    await res.clone().arrayBuffer();
    return res;
  } catch {
    return undefined;
  }
}

/** A create, then PATCHes of its title, until the server goes away. */
async function userWriter(served: Served, round: number, writer: number, told: Told): Promise<void> {
  const userName = `r${round}-w${writer}@crash.example.com`;
  told.unanswered.add(userName);
  const res = await answer(scim(served, '/Users', 'POST', { schemas: [USER], userName, emails: [{ value: userName, type: 'work' }] }));
  if (!res) return;
  assert.equal(res.status, 201);
  const { id } = (await res.json()) as { id: string };
  told.unanswered.delete(userName);
  told.created.set(userName, id);
  const titles: { acked?: string; inFlight?: string; patches: number } = { patches: 0 };
  told.titles.set(userName, titles);
  for (let n = 0; ; n++) {
    const title = `title ${n}`;
    titles.inFlight = title;
    const patched = await answer(
      scim(served, `/Users/${id}`, 'PATCH', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: title }] }),
    );
    if (!patched) return;
    assert.equal(patched.status, 200);
    titles.acked = title;
    titles.patches++;
    delete titles.inFlight;
  }
}

/** Adds all `members` to the group in one PATCH, removes them all in the next, until the server goes away. */
async function groupWriter(served: Served, groupId: string, members: readonly string[], sent: () => void): Promise<void> {
  for (let n = 0; ; n++) {
    const operation =
      n % 2 === 0 ? { op: 'add', path: 'members', value: members.map((value) => ({ value })) } : { op: 'remove', path: 'members' };
    const request = scim(served, `/Groups/${groupId}`, 'PATCH', { schemas: [PATCH_OP], Operations: [operation] });
    sent();
    const res = await answer(request);
    if (!res) return;
    assert.ok(res.status === 200 || res.status === 204, String(res.status));
  }
}

/** Creates `count` users, 16 at a time: the members the group writer moves. */
async function members(served: Served, count: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const userName = `member${next++}@crash.example.com`;
        const res = await scim(served, '/Users', 'POST', { schemas: [USER], userName });
        assert.equal(res.status, 201);
        ids.push(((await res.json()) as { id: string }).id);
      }
    }),
  );
  return ids;
}

interface EventRow {
  readonly sequence: number;
  readonly type: string;
  readonly subject: string;
  readonly data: string;
}

/** What a restarted reader finds, against what the clients were told. */
function check(file: string, told: Told, groupId: string): void {
  const db = new Database(file);
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const users = new Map(
      (
        db.prepare(`SELECT id, version, doc FROM resources WHERE resource_type = 'User'`).all() as {
          id: string;
          version: number;
          doc: string;
        }[]
      ).map((r) => [r.id, { version: r.version, doc: JSON.parse(r.doc) as { userName: string; title?: string } }]),
    );
    const byName = new Map([...users].map(([id, u]) => [u.doc.userName, id]));
    // Every acknowledged write is there: each create, and each PATCH's title or a later one.
    for (const [userName, id] of told.created) {
      const user = users.get(id);
      assert.ok(user, `acknowledged create of ${userName} lost`);
      const titles = told.titles.get(userName)!;
      assert.ok(
        user.doc.title === titles.acked || user.doc.title === titles.inFlight,
        `${userName}: title ${user.doc.title}, acknowledged ${titles.acked}, in flight ${titles.inFlight}`,
      );
      assert.ok(user.version >= 1 + titles.patches && user.version <= 2 + titles.patches, `${userName}: version ${user.version}`);
    }
    // A create never answered either committed whole (its row, its email in the values index, its
    // event below) or left nothing.
    for (const userName of told.unanswered) {
      const id = byName.get(userName);
      const values = db.prepare(`SELECT count(*) FROM resource_values WHERE value = ?`).pluck().get(userName) as number;
      assert.equal(values, id === undefined ? 0 : 1, `${userName}: ${values} values index rows`);
    }
    // The group's members moved all at once or not at all.
    const group = db.prepare(`SELECT row_key, version FROM resources WHERE id = ?`).get(groupId) as { row_key: number; version: number };
    const count = db.prepare('SELECT count(*) FROM memberships WHERE group_row = ?').pluck().get(group.row_key) as number;
    assert.ok(count === 0 || count === GROUP_MEMBERS, `the group holds ${count} members`);

    // Events intact: numbered 1…n without a gap, and each resource has one event per version
    // it has, up to the version stored and none beyond (no event of a write that did not commit).
    const events = db.prepare('SELECT sequence, type, subject, data FROM outbox ORDER BY sequence').all() as EventRow[];
    const last = db.prepare('SELECT last_sequence FROM outbox_counters').pluck().get() as number;
    assert.deepEqual(
      events.map((e) => e.sequence),
      Array.from({ length: last }, (_, i) => i + 1),
    );
    const versions = new Map<string, Set<number>>();
    for (const e of events) {
      const { version } = JSON.parse(e.data) as { version: number };
      const seen = versions.get(e.subject) ?? new Set<number>();
      versions.set(e.subject, seen.add(version));
    }
    const stored = new Map([...users].map(([id, u]) => [`Users/${id}`, u.version]));
    stored.set(`Groups/${groupId}`, group.version);
    assert.deepEqual(
      [...versions].map(([subject, seen]) => [subject, [...seen].sort((a, b) => a - b)]).sort(),
      [...stored].map(([subject, version]) => [subject, Array.from({ length: version }, (_, i) => i + 1)]).sort(),
    );
  } finally {
    db.close();
  }
}

describe('SIGKILL during a group commit (docs/store.md "Group commit")', () => {
  it('every acknowledged write is there after the restart, no unacknowledged one half-applied, events numbered without a gap', async () => {
    const databaseUrl = tempDatabaseUrl();
    const file = databaseUrl.slice('sqlite:'.length);
    const env = {
      SCIMD_DATABASE_URL: databaseUrl,
      SCIMD_BOOTSTRAP_TOKEN: TOKEN,
      SCIMD_RATE_LIMIT_TENANT: '0',
      SCIMD_RATE_LIMIT_TOKEN: '0',
      SCIMD_ACCESS_LOG: 'off',
    };
    const port = freePort();
    const told: Told = { created: new Map(), titles: new Map(), unanswered: new Set() };
    let served = await startServe(env, port);
    const ids = await members(served, GROUP_MEMBERS);
    const group = await scim(served, '/Groups', 'POST', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'movers',
    });
    const groupId = ((await group.json()) as { id: string }).id;
    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) served = await startServe(env, port);
      // The kill comes a few milliseconds after a group PATCH is sent, while other writers keep
      // writing: most likely while the batch holding that long write runs.
      let groupPatches = 0;
      let kill!: () => void;
      const killed = new Promise<void>((resolve) => (kill = resolve));
      const writers = [
        ...Array.from({ length: USER_WRITERS }, (_, w) => userWriter(served, round, w, told)),
        groupWriter(served, groupId, ids, () => {
          if (++groupPatches === 6) setTimeout(kill, 3);
        }),
      ];
      const settled = Promise.all(writers);
      const exited = once(served.child, 'exit');
      try {
        // A writer's failed assertion ends the round at once.
        await Promise.race([killed, settled]);
      } finally {
        served.child.kill('SIGKILL');
        await exited;
      }
      await settled;
      check(file, told, groupId);
    }
  });
});
