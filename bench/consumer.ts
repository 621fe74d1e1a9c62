// The consumer bench (npm run bench): how many events per second scimd/consumer applies into
// SQLite and into PostgreSQL tables, and how long it takes to catch up over a long feed.
//
//   1. apply: Entra-shaped events made here (user created / updated, members added / removed,
//      deactivations), BENCH_CONSUMER_APPLY of them (default 200,000), committed in batches of 500
//      exactly as the Consumer commits them (buildBatch + Target.commit): the target's cost alone.
//   2. catch-up: a scimd process (SQLite, the bundle) whose outbox holds BENCH_CONSUMER_EVENTS
//      events (default 1,000,000 user creates, seeded through the store), and a consumer starting
//      at position 0 that reads the feed (pages of 1,000) into each target: feed + apply, end to end.
//
// Figures depend on the machine; on a shared one they are rough.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBatch, Consumer, postgresTarget, type ScimEvent, sqliteTarget, type Target } from '../consumer/index.ts';
import { eventBuilders } from '../src/events/build.ts';
import { createTenantService } from '../src/service/tenants.ts';
import { openStore } from '../src/store/open.ts';
import { startScimd } from './scimd-process.ts';
import { ENTERPRISE } from './seed.ts';
import { onEachStore } from './stores.ts';

const APPLY = Number(process.env['BENCH_CONSUMER_APPLY'] ?? 200_000);
const CATCH_UP = Number(process.env['BENCH_CONSUMER_EVENTS'] ?? 1_000_000);
const BATCH = 500;

function user(id: string, i: number, version: number, active = true) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    id,
    externalId: `ext-${i}`,
    userName: `user${i}@bench.example.com`,
    name: { givenName: `Given${i}`, familyName: `Family${i % 977}` },
    displayName: `Given${i} Family${i % 977} v${version}`,
    active,
    emails: [{ value: `work.${i}@bench.example.com`, type: 'work', primary: true }],
    [ENTERPRISE]: { department: `Dept${i % 50}` },
    meta: {
      resourceType: 'User',
      created: '2026-01-01T00:00:00.000Z',
      lastModified: new Date().toISOString(),
      location: `https://scim.example.com/scim/v2/Users/${id}`,
      version: `W/"${version}"`,
    },
  };
}

/** An Entra-like stream: 20% creates, 45% updates, 5% deactivations, 20% members added, 10% removed. */
function* events(count: number): Generator<ScimEvent> {
  const users: { id: string; i: number; version: number }[] = [];
  const groups = Array.from({ length: 200 }, () => ({ id: randomUUID(), version: 1 }));
  let sequence = 0;
  const event = (type: string, subject: string, data: Record<string, unknown>): ScimEvent => ({
    id: randomUUID(),
    type,
    subject,
    time: new Date().toISOString(),
    tenant: 'bench',
    sequence: String(++sequence).padStart(20, '0'),
    data,
  });
  for (let n = 0; n < count; n++) {
    const roll = (n * 7919) % 100;
    if (users.length < 100 || roll < 20) {
      const u = { id: randomUUID(), i: users.length, version: 1 };
      users.push(u);
      yield event('scim.user.created', `Users/${u.id}`, { version: 1, resource: user(u.id, u.i, 1) });
      continue;
    }
    const u = users[(n * 104729) % users.length]!;
    const g = groups[n % groups.length]!;
    if (roll < 65 || roll < 70) {
      u.version++;
      yield event('scim.user.updated', `Users/${u.id}`, {
        version: u.version,
        resource: user(u.id, u.i, u.version, roll >= 65),
        changedAttributes: ['displayName'],
        method: 'PATCH',
      });
    } else {
      g.version++;
      const type = roll < 90 ? 'scim.group.members.added' : 'scim.group.members.removed';
      yield event(type, `Groups/${g.id}`, { id: g.id, version: g.version, members: [u.id] });
    }
  }
}

async function apply(target: Target): Promise<number> {
  await target.commit('bench', { from: undefined, to: 0, put: [], deleted: [], edges: [] });
  let position = 0;
  let batch: ScimEvent[] = [];
  const started = performance.now();
  const flush = async () => {
    const to = position + batch.length;
    await target.commit('bench', await buildBatch(target, 'bench', position, batch, to));
    position = to;
    batch = [];
  };
  for (const e of events(APPLY)) {
    batch.push(e);
    if (batch.length === BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  return APPLY / ((performance.now() - started) / 1000);
}

/**
 * A scimd process (the bundle, as deployed) whose tenant "bench" has CATCH_UP events: user creates
 * seeded through the store before it starts, 1,000 per transaction.
 */
async function seededScimd() {
  const dir = mkdtempSync(join(tmpdir(), 'scimd-bench-consumer-'));
  const databaseUrl = `sqlite:${join(dir, 'scimd.db')}`;
  const store = await openStore(databaseUrl);
  await store.migrate();
  const tenants = createTenantService(store, () => new Date());
  const tenant = await tenants.createTenant('bench');
  const token = (await tenants.mintToken('bench')).token;
  const build = eventBuilders('https://scim.example.com/scim/v2', (stored) =>
    user(stored.id, Number(stored.doc['externalId']), stored.version),
  ).created('User');
  const started = performance.now();
  for (let i = 0; i < CATCH_UP; i += 1000) {
    const now = new Date().toISOString();
    const commands = Array.from({ length: Math.min(1000, CATCH_UP - i) }, (_, k) => ({
      resourceType: 'User' as const,
      id: randomUUID(),
      doc: { userName: `user${i + k}@bench.example.com`, externalId: String(i + k), active: true, displayName: `User ${i + k}` },
      now,
      events: build,
    }));
    await store.createMany(tenant.id, commands);
  }
  await store.close();
  console.log(`seeded ${CATCH_UP.toLocaleString('en')} events in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = await startScimd({ SCIMD_DATABASE_URL: databaseUrl }, port);
  return {
    url: `http://127.0.0.1:${port}/scim/v2`,
    token,
    async close() {
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function catchUp(scimd: { url: string; token: string }, target: Target): Promise<{ seconds: number; perSecond: number }> {
  // A copy at position 0 already: the consumer catches up over the whole feed.
  await target.commit('bench', { from: undefined, to: 0, put: [], deleted: [], edges: [] });
  const consumer = new Consumer({ scim: scimd, tenant: 'bench', target, source: 'feed', batchSize: 1000, checkEveryMs: 600_000 });
  const started = performance.now();
  await consumer.start();
  const seconds = (performance.now() - started) / 1000;
  await consumer.stop();
  if (consumer.position !== CATCH_UP) throw new Error(`caught up to ${consumer.position}, not ${CATCH_UP}`);
  return { seconds, perSecond: CATCH_UP / seconds };
}

const scimd = await seededScimd();
try {
  const figures = await onEachStore(async (store) => {
    const open = () =>
      store.name === 'SQLite' ? sqliteTarget(store.databaseUrl.slice('sqlite:'.length)) : postgresTarget(store.databaseUrl);
    const applyTarget = await open();
    const applied = await apply(applyTarget);
    await applyTarget.close();
    const catchTarget = await open();
    const caught = await catchUp(scimd, catchTarget);
    await catchTarget.close();
    return { applied, caught };
  });
  console.log('\n## scimd/consumer: events applied per second, and catch-up over the feed\n');
  console.log(
    `| target | apply (${APPLY.toLocaleString('en')} mixed events, batches of ${BATCH}) | catch-up over ${CATCH_UP.toLocaleString('en')} events (feed + apply) |`,
  );
  console.log('|---|---|---|');
  for (const [name, f] of figures) {
    console.log(
      `| ${name} | ${Math.round(f.applied).toLocaleString('en')} events/s | ${f.caught.seconds.toFixed(1)} s (${Math.round(f.caught.perSecond).toLocaleString('en')} events/s) |`,
    );
  }
} finally {
  await scimd.close();
}
