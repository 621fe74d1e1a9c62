import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { postgresTarget, sqliteTarget } from '../../consumer/index.ts';
import { createTestDatabase, createTestSchema, type Scratch } from '../../src/store/postgres/testing.ts';
import { freePort, type Served, startServe } from '../cli/process.ts';
import { bounded, brokerSkip, suffix, until } from '../events/brokers.ts';
import { ENTERPRISE, USER_SCHEMA } from '../helpers/harness.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';
import { assertCopyEquals } from './copy.ts';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const TOKEN = `proof-token-${suffix()}-0123456789`;
/** Attempted changes; the successful ones (2xx) are reported. Override with PROOF_CHANGES. */
const CHANGES = Number(process.env['PROOF_CHANGES'] ?? 2500);
const WORKERS = 6;
const postgres = (process.env['SCIMD_TEST_DATABASE_URL'] ?? '').startsWith('postgres');

/** A small deterministic generator (mulberry32): the same run every time. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Group {
  readonly id: string;
  /** 0..3: a group only contains groups of the next level, so nesting never cycles nor gets deep. */
  readonly level: number;
}

/**
 * Entra-shaped provisioning (docs interop: capitalised ops, string booleans, members added and
 * removed by value, enterprise extension paths) against a live scimd, from several workers at once.
 */
function driver(base: () => string) {
  const rnd = random(17);
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(rnd() * list.length)];
  const users: string[] = [];
  const names = new Map<string, string>();
  const deletedNames: string[] = [];
  const groups: Group[] = [];
  let made = 0;
  let ok = 0;
  let n = 0;
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (res.status >= 500) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    if (res.status < 300) ok++;
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
  const patch = (path: string, Operations: unknown[]) => call('PATCH', path, { schemas: [PATCH], Operations });
  async function createUser(userName: string) {
    const r = await call('POST', '/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName,
      externalId: `ext-${userName}`,
      active: true,
      displayName: `User ${userName}`,
      name: { givenName: 'Given', familyName: userName },
      emails: [{ value: userName, type: 'work', primary: true }],
      [ENTERPRISE]: { department: 'Sales', employeeNumber: String(made) },
    });
    if (r.status === 201) {
      users.push(r.body['id'] as string);
      names.set(r.body['id'] as string, userName);
    }
  }
  async function step(): Promise<void> {
    const roll = rnd();
    const user = pick(users);
    const group = pick(groups);
    if (users.length < 60 || roll < 0.16) return createUser(`proof-${made++}@example.com`);
    if (groups.length < 12 || roll < 0.2) {
      const level = groups.length % 4;
      const r = await call('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `proof-group-${made++}`, members: [] });
      if (r.status === 201) groups.push({ id: r.body['id'] as string, level });
      return;
    }
    if (roll < 0.4) {
      return void (await patch(`/Users/${user}`, [
        { op: 'Replace', path: 'displayName', value: `Renamed ${made++}` },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: pick(['Sales', 'Ops', 'R&D']) },
      ]));
    }
    if (roll < 0.47) return void (await patch(`/Users/${user}`, [{ op: 'Replace', path: 'active', value: 'False' }]));
    if (roll < 0.5) return void (await patch(`/Users/${user}`, [{ op: 'Replace', path: 'active', value: 'True' }]));
    if (roll < 0.53) {
      const r = await call('DELETE', `/Users/${user}`);
      if (r.status === 204) {
        users.splice(users.indexOf(user!), 1);
        deletedNames.push(names.get(user!)!);
      }
      return;
    }
    if (roll < 0.55 && deletedNames.length > 0) {
      // A userName deleted earlier comes back, as a new user with a new id.
      return createUser(deletedNames.shift()!);
    }
    if (roll < 0.75) return void (await patch(`/Groups/${group!.id}`, [{ op: 'Add', path: 'members', value: [{ value: user }] }]));
    if (roll < 0.85) return void (await patch(`/Groups/${group!.id}`, [{ op: 'Remove', path: 'members', value: [{ value: user }] }]));
    if (roll < 0.92) {
      const child = pick(groups.filter((g) => g.level === group!.level + 1));
      if (child) await patch(`/Groups/${group!.id}`, [{ op: 'Add', path: 'members', value: [{ value: child.id }] }]);
      return;
    }
    if (roll < 0.96) {
      const child = pick(groups.filter((g) => g.level === group!.level + 1));
      if (child) await patch(`/Groups/${group!.id}`, [{ op: 'Remove', path: 'members', value: [{ value: child.id }] }]);
      return;
    }
    if (roll < 0.98)
      return void (await patch(`/Groups/${group!.id}`, [{ op: 'Replace', path: 'displayName', value: `proof-group-${made++}` }]));
    const r = await call('DELETE', `/Groups/${group!.id}`);
    if (r.status === 204) groups.splice(groups.indexOf(group!), 1);
  }
  return {
    /** Runs steps on WORKERS workers until `until` steps were started. */
    async run(untilStep: number) {
      await Promise.all(
        Array.from({ length: WORKERS }, async () => {
          while (n < untilStep) {
            n++;
            await step();
          }
        }),
      );
    },
    get succeeded() {
      return ok;
    },
  };
}

/** A consumer process (consumer-process.ts) that can be killed. */
function startConsumer(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./consumer-process.ts', import.meta.url).pathname], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe(`the consumer's copy survives crashes, broker cuts and scimd restarts (${postgres ? 'PostgreSQL' : 'SQLite'})`, async () => {
  const skip = await brokerSkip('RabbitMQ', 5672);
  it(
    `${CHANGES} Entra-shaped changes; the consumer SIGKILLed 4 times, the broker cut twice, scimd restarted; then copy = API`,
    skip,
    async (t) => {
      const started = Date.now();
      const dir = mkdtempSync(join(tmpdir(), 'scimd-proof-'));
      const scratches: Scratch[] = [];
      let databaseUrl = `sqlite:${join(dir, 'scimd.db')}`;
      let targetUrl = join(dir, 'copy.db');
      if (postgres) {
        const db = await createTestDatabase();
        scratches.push(db);
        databaseUrl = db.url;
        const schema = await createTestSchema(db.url);
        scratches.push(schema);
        targetUrl = schema.url;
      }
      const proxy = new TcpProxy({ host: '127.0.0.1', port: 5672 });
      await proxy.start();
      const exchange = `scim.proof.${suffix()}`;
      const queue = `scimd-proof-${suffix()}`;
      const sink = `amqp://guest:guest@127.0.0.1:${proxy.port}/?exchange=${exchange}&queue=${queue}`;
      const port = freePort();
      const scimEnv = {
        SCIMD_DATABASE_URL: databaseUrl,
        SCIMD_BOOTSTRAP_TOKEN: TOKEN,
        SCIMD_EVENT_SINKS: sink,
        SCIMD_PUBLIC_URL: `http://127.0.0.1:${port}`,
        SCIMD_RATE_LIMIT_TENANT: '0',
        SCIMD_RATE_LIMIT_TOKEN: '0',
      };
      let scimd: Served = await startServe(scimEnv, port);
      const consumerEnv = {
        CONSUMER_SCIM_URL: scimd.url,
        CONSUMER_SCIM_TOKEN: TOKEN,
        CONSUMER_TENANT: 'default',
        CONSUMER_SOURCE: sink,
        CONSUMER_SUBSCRIPTION: queue,
        CONSUMER_TARGET: targetUrl,
      };
      let consumer = startConsumer(consumerEnv);
      const figures = { kills: 0, cuts: 0, restarts: 0 };
      const work = driver(() => scimd.url);
      try {
        const at = (share: number) => Math.floor(CHANGES * share);
        await work.run(at(0.15));
        const restartConsumer = async () => {
          await killed(consumer.child);
          figures.kills++;
          consumer = startConsumer(consumerEnv);
        };
        await restartConsumer();
        await work.run(at(0.3));
        // The broker link drops for the consumer and scimd's relay alike, and stays down a moment.
        await proxy.stop();
        await new Promise((r) => setTimeout(r, 300));
        await proxy.start();
        figures.cuts++;
        await work.run(at(0.45));
        await restartConsumer();
        await work.run(at(0.55));
        // scimd restarts between two requests (SIGTERM: in-flight requests finish first).
        await scimd.stop();
        scimd = await startServe(scimEnv, port);
        figures.restarts++;
        await work.run(at(0.7));
        proxy.cut();
        figures.cuts++;
        await restartConsumer();
        await work.run(at(0.85));
        await restartConsumer();
        await work.run(CHANGES);

        const get = async (path: string) => {
          const res = await fetch(`${scimd.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
          return (await res.json()) as Record<string, unknown>;
        };
        const latest = (await get('/Events/position'))['sequence'] as number;
        const target = postgres ? await postgresTarget(targetUrl) : await sqliteTarget(targetUrl);
        try {
          await until(async () => (await target.position('default')) === latest, 40_000, `the consumer at ${latest}`).catch((error) => {
            throw new Error(`${String(error)}\nconsumer output:\n${consumer.output().slice(-3000)}`);
          });
          const copy = await target.read('default');
          const counted = await assertCopyEquals(get, copy);
          const wall = ((Date.now() - started) / 1000).toFixed(1);
          t.diagnostic(
            `${work.succeeded} successful writes (${latest} events) of ${CHANGES} attempted; consumer SIGKILLed ${figures.kills}×, ` +
              `broker cut ${figures.cuts}×, scimd restarted ${figures.restarts}×; copy = API: ${counted.users} users, ` +
              `${counted.groups} groups, ${counted.edges} memberships; ${wall} s`,
          );
          assert.equal(figures.kills, 4);
          assert.equal(figures.cuts, 2);
          assert.ok(work.succeeded >= CHANGES * 0.8, `most changes succeed (${work.succeeded})`);
        } finally {
          await target.close();
        }
      } finally {
        await killed(consumer.child);
        await bounded(() => scimd.stop());
        await bounded(() => proxy.stop());
        await bounded(async () => {
          const amqp = await import('amqplib');
          const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
          const ch = await conn.createChannel();
          await ch.deleteQueue(queue);
          await ch.deleteExchange(exchange);
          await conn.close();
        });
        for (const s of scratches.reverse()) await bounded(() => s.drop());
      }
    },
  );
});
