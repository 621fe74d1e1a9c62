/**
 * node --import tsx bench/events.ts — the outbox and relay (issue 5, Performance):
 *  1. relay throughput from a pre-filled outbox to RabbitMQ (publisher confirms) and NATS
 *     JetStream (acks), events/s;
 *  2. commit-to-broker latency (RabbitMQ) at a steady write rate through the API, p50 / p99;
 *  3. write throughput through the API without and with a sink (the relay in-process), and the
 *     store-level cost of appending the outbox row.
 * Environment: BENCH_EVENTS (20000), BENCH_RATE (500 writes/s), BENCH_SECONDS (10). Needs the
 * brokers of docs/events.md on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.ts';
import { eventBuilders } from '../src/events/build.ts';
import type { CloudEvent } from '../src/events/cloud-event.ts';
import { Relay } from '../src/events/relay.ts';
import { createSink } from '../src/events/sinks/index.ts';
import { createServer } from '../src/server.ts';
import { openStore } from '../src/store/open.ts';
import type { Store } from '../src/store/ports/store.ts';
import { BENCH_SERVER_ENV } from './scimd-process.ts';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 20_000);
const RATE = Number(process.env['BENCH_RATE'] ?? 500);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const tag = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const dbUrl = () => `sqlite:${join(mkdtempSync(join(tmpdir(), 'scimd-bench-ev-')), 'scimd.db')}`;
const builders = eventBuilders('https://scim.example.com/scim/v2', (s) => ({ schemas: [], id: s.id, ...s.doc, meta: {} }));

async function filledStore(n: number, withEvents = true): Promise<{ store: Store; ms: number }> {
  const store = await openStore(dbUrl());
  await store.migrate();
  const tenant = randomUUID();
  await store.createTenant({ id: tenant, name: 'bench', createdAt: new Date().toISOString() });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await store.create(tenant, {
      resourceType: 'User',
      id: randomUUID(),
      doc: {
        userName: `u${i}@example.com`,
        displayName: `User ${i}`,
        active: true,
        emails: [{ value: `u${i}@example.com`, primary: true }],
      },
      now: new Date().toISOString(),
      ...(withEvents ? { events: builders.created('User') } : {}),
    });
  }
  return { store, ms: performance.now() - t0 };
}

async function relayThroughput(label: string, url: string): Promise<string> {
  const cleanup = await brokerFor(url);
  const { store } = await filledStore(EVENTS);
  const sink = await createSink(url);
  const relay = new Relay({ store, sinks: [sink], batchSize: 1000, pollMs: 10 });
  const t0 = performance.now();
  relay.start();
  while ((await store.outboxStats([sink.name])).sinks[0]!.pending > 0) await new Promise((r) => setTimeout(r, 5));
  const ms = performance.now() - t0;
  await relay.stop();
  await store.close();
  await cleanup();
  return `${label}: ${EVENTS} events in ${(ms / 1000).toFixed(2)} s = ${Math.round((EVENTS * 1000) / ms)} events/s`;
}

/**
 * What a throughput run needs on its broker, and the cleanup of it after the run. RabbitMQ: a
 * queue bound to the exchange, as a consumer would have (the sink publishes mandatory: with no
 * queue, every event is returned and retried); it goes with its connection, the exchange is deleted.
 */
async function brokerFor(raw: string): Promise<() => Promise<void>> {
  const url = new URL(raw);
  if (url.protocol === 'amqp:') {
    const exchange = url.searchParams.get('exchange')!;
    const amqp = await import('amqplib');
    const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'topic', { durable: true });
    const q = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(q.queue, exchange, '#');
    return async () => {
      await ch.deleteExchange(exchange);
      await conn.close();
    };
  }
  return async () => {
    const { connect } = await import('@nats-io/transport-node');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connect({ servers: '127.0.0.1:4222' });
    await (await jetstreamManager(nc)).streams.delete(url.searchParams.get('stream')!);
    await nc.close();
  };
}

async function apiServer(sinks: string | undefined) {
  const config = loadConfig({
    ...BENCH_SERVER_ENV,
    SCIMD_DATABASE_URL: dbUrl(),
    SCIMD_PUBLIC_URL: 'https://scim.example.com',
    SCIMD_LOG_LEVEL: 'silent',
    ...(sinks ? { SCIMD_EVENT_SINKS: sinks } : {}),
  });
  const server = await createServer(config);
  await server.tenants.createTenant('bench');
  const token = (await server.tenants.mintToken('bench')).token;
  let i = 0;
  const write = async () => {
    const r = await server.app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      payload: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `w${i++}-${tag()}@example.com`,
        active: true,
      }),
    });
    if (r.statusCode !== 201) throw new Error(`write failed: ${r.statusCode} ${r.body}`);
  };
  return { server, write };
}

async function writeThroughput(sinks: string | undefined): Promise<number> {
  const { server, write } = await apiServer(sinks);
  for (let i = 0; i < 200; i++) await write();
  const n = 3000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await write();
  const rate = (n * 1000) / (performance.now() - t0);
  await server.close();
  return rate;
}

async function latency(exchange: string): Promise<string> {
  const amqp = await import('amqplib');
  const conn = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  const ch = await conn.createChannel();
  await ch.assertExchange(exchange, 'topic', { durable: true });
  const q = await ch.assertQueue('', { exclusive: true });
  await ch.bindQueue(q.queue, exchange, '#');
  const lat: number[] = [];
  const committedAt = new Map<string, number>();
  await ch.consume(
    q.queue,
    (m) => {
      if (!m) return;
      const e = JSON.parse(m.content.toString()) as CloudEvent;
      const resource = (e.data['resource'] as { userName: string }).userName;
      const start = committedAt.get(resource);
      if (start !== undefined) lat.push(performance.now() - start);
    },
    { noAck: true },
  );
  const { server } = await apiServer(`amqp://guest:guest@127.0.0.1:5672/?exchange=${exchange}`);
  const token = (await server.tenants.mintToken('bench')).token;
  const total = RATE * SECONDS;
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const userName = `lat${i}-${tag()}@example.com`;
    // From the request's start: an upper bound of commit-to-broker (the commit is inside it).
    committedAt.set(userName, performance.now());
    const r = await server.app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      payload: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName }),
    });
    if (r.statusCode !== 201) throw new Error(`write failed ${r.statusCode}`);
  }
  const achieved = (total * 1000) / (performance.now() - t0);
  while (lat.length < total) await new Promise((r) => setTimeout(r, 20));
  await server.close();
  await ch.deleteExchange(exchange);
  await conn.close();
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!.toFixed(1);
  return `request-start-to-broker latency (RabbitMQ, ${total} writes at ${Math.round(achieved)}/s): p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${lat[lat.length - 1]!.toFixed(1)} ms`;
}

const lines: string[] = [];
lines.push(
  await relayThroughput('relay → RabbitMQ (publisher confirms)', `amqp://guest:guest@127.0.0.1:5672/?exchange=scim.bench.${tag()}`),
);
lines.push(
  await relayThroughput('relay → NATS JetStream (acks)', `nats://127.0.0.1:4222?stream=SCIM_BENCH_${tag()}&prefix=scimbench${tag()}`),
);
lines.push(await latency(`scim.bench.lat.${tag()}`));
const off = await writeThroughput(undefined);
const onUrl = `amqp://guest:guest@127.0.0.1:5672/?exchange=scim.bench.w.${tag()}`;
const cleanupOn = await brokerFor(onUrl);
const on = await writeThroughput(onUrl);
await cleanupOn();
lines.push(
  `API writes/s (POST /Users, sequential, inject): sinks off ${Math.round(off)}, RabbitMQ sink on ${Math.round(on)} (${(((off - on) / off) * 100).toFixed(1)}% lower)`,
);
const plain = await filledStore(5000, false);
const withOutbox = await filledStore(5000, true);
lines.push(
  `store.create ×5000: without outbox row ${Math.round(5000_000 / plain.ms)}/s, with outbox row ${Math.round(5000_000 / withOutbox.ms)}/s (${(((withOutbox.ms - plain.ms) / plain.ms) * 100).toFixed(1)}% more time)`,
);
await plain.store.close();
await withOutbox.store.close();
console.log(lines.join('\n'));
