import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CloudEvent, sequenceOf } from '../../src/events/cloud-event.ts';
import type { Publisher } from '../../src/events/publisher.ts';
import { backoffDelay, Relay } from '../../src/events/relay.ts';
import { assertValidEvent } from '../../src/events/testing/schema.ts';
import { type Harness, startHarness, userBody } from '../helpers/harness.ts';

/** A sink in memory that can be switched off, as a broker that is down. */
function memorySink(name: string) {
  const received: CloudEvent[] = [];
  let up = true;
  let attempts = 0;
  const sink: Publisher = {
    name,
    async publish(events) {
      attempts++;
      if (!up) throw new Error(`${name} is down`);
      received.push(...events);
    },
    async close() {},
  };
  return { sink, received, setUp: (v: boolean) => (up = v), attempts: () => attempts };
}

async function until(check: () => boolean | Promise<boolean>, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('relay: per-sink delivery state, backoff, catch-up, pruning', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(async () => h.close());

  it('backoff grows exponentially with jitter and is capped', () => {
    assert.equal(
      backoffDelay(1, 100, 10_000, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(1, 100, 10_000, () => 0),
      50,
    );
    assert.equal(
      backoffDelay(4, 100, 10_000, () => 1),
      800,
    );
    assert.equal(
      backoffDelay(30, 100, 10_000, () => 1),
      10_000,
    );
  });

  it('a sink that is down never blocks the other sink; it catches up in order when it returns', async (t) => {
    const good = memorySink(`mem://good-${Date.now()}`);
    const bad = memorySink(`mem://bad-${Date.now()}`);
    bad.setUp(false);
    const relay = new Relay({ store: h.server.store, sinks: [good.sink, bad.sink], pollMs: 20, backoffBaseMs: 10, backoffMaxMs: 50 });
    // Skip whatever earlier tests appended: start both sinks at the current end.
    relay.start();
    // Stopped even when an assertion fails: a relay left polling would hold the file open until its timeout.
    t.after(() => relay.stop());
    for (let i = 0; i < 30; i++) assert.equal((await h.request('POST', '/Users', { body: userBody(`relay${i}@example.com`) })).status, 201);
    relay.wake();
    await until(() => good.received.length >= 30);
    assert.ok(bad.attempts() >= 2, 'the down sink retried');
    assert.equal(bad.received.length, 0);
    const stats = await h.server.store.outboxStats([bad.sink.name]);
    assert.ok(stats.sinks[0]!.pending >= 30);
    bad.setUp(true);
    await until(() => bad.received.length >= good.received.length);
    await relay.stop();
    for (const received of [good.received, bad.received]) {
      const acme = received.filter((e) => e.tenant === 'acme');
      acme.forEach((e, i) => {
        assertValidEvent(e);
        assert.equal(sequenceOf(e), i + 1, 'in order, none lost');
      });
    }
    assert.deepEqual(
      bad.received.map((e) => e.id),
      good.received.map((e) => e.id),
    );
    assert.equal((await h.server.store.outboxStats([bad.sink.name])).sinks[0]!.pending, 0);
    assert.equal(relay.states[1]!.failures > 0, true);
  });

  it('a relay that stops releases its leases: another relay on the same sink takes over at once, without duplicates', async (t) => {
    const name = `mem://handover-${Date.now()}`;
    const first = memorySink(name);
    const second = memorySink(name);
    const a = new Relay({ store: h.server.store, sinks: [first.sink], pollMs: 10, leaseMs: 60_000 });
    a.start();
    t.after(() => a.stop());
    const before = (await h.server.store.readEvents((await h.server.store.findTenantByName('acme'))!.id, 0, 100_000)).length;
    assert.equal((await h.request('POST', '/Users', { body: userBody('handover1@example.com') })).status, 201);
    a.wake();
    await until(() => first.received.filter((e) => e.tenant === 'acme').length >= before + 1);
    await a.stop();
    const b = new Relay({ store: h.server.store, sinks: [second.sink], pollMs: 10, leaseMs: 60_000 });
    b.start();
    try {
      assert.equal((await h.request('POST', '/Users', { body: userBody('handover2@example.com') })).status, 201);
      b.wake();
      // Well within the 60 s lease: A released it.
      await until(() => second.received.some((e) => e.tenant === 'acme'), 2000);
    } finally {
      await b.stop();
    }
    const acme = [...first.received, ...second.received].filter((e) => e.tenant === 'acme').map((e) => sequenceOf(e));
    assert.deepEqual(
      acme,
      Array.from({ length: before + 2 }, (_, i) => i + 1),
      'each once, in order, across the handover',
    );
  });

  it('prunes only events every sink has delivered and older than the retention', async (t) => {
    const a = memorySink(`mem://prune-a-${Date.now()}`);
    const b = memorySink(`mem://prune-b-${Date.now()}`);
    const relay = new Relay({ store: h.server.store, sinks: [a.sink], pollMs: 20, retentionMs: 0 });
    relay.start();
    t.after(() => relay.stop());
    await h.request('POST', '/Users', { body: userBody('prune@example.com') });
    relay.wake();
    await until(async () => (await h.server.store.outboxStats([a.sink.name])).sinks[0]!.pending === 0);
    await relay.stop();
    await new Promise((r) => setTimeout(r, 5));
    const depth = (await h.server.store.outboxStats([])).depth;
    assert.ok(depth > 0);
    // Delivered by A but not by B: kept while B is a sink.
    assert.equal(await new Relay({ store: h.server.store, sinks: [a.sink, b.sink], retentionMs: 0 }).prune(), 0);
    // Delivered by A but younger than the retention: kept.
    assert.equal(await new Relay({ store: h.server.store, sinks: [a.sink], retentionMs: 3600_000 }).prune(), 0);
    assert.equal((await h.server.store.outboxStats([])).depth, depth);
    // Delivered by every sink and older than the retention: all gone.
    assert.equal(await relay.prune(), depth);
    assert.equal((await h.server.store.outboxStats([])).depth, 0);
  });
});

describe('built-in feed: GET /Events and Server-Sent Events', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(async () => h.close());

  it("pages a tenant's events by sequence, tenant-scoped, behind bearer auth", async () => {
    for (let i = 0; i < 5; i++) await h.request('POST', '/Users', { body: userBody(`feed${i}@example.com`) });
    await h.request('POST', '/Users', { token: h.tokenB, body: userBody('other@example.com') });
    const page = await h.request('GET', '/Events?after=2&count=2');
    assert.equal(page.status, 200);
    assert.deepEqual(
      page.body.events.map((e: CloudEvent) => sequenceOf(e)),
      [3, 4],
    );
    assert.equal(page.body.lastSequence, 4);
    page.body.events.forEach(assertValidEvent);
    const rest = await h.request('GET', '/Events?after=4');
    assert.deepEqual(
      rest.body.events.map((e: CloudEvent) => sequenceOf(e)),
      [5],
    );
    const other = await h.request('GET', '/Events', { token: h.tokenB });
    assert.deepEqual(
      other.body.events.map((e: CloudEvent) => [e.tenant, sequenceOf(e)]),
      [['globex', 1]],
    );
    assert.equal((await h.request('GET', '/Events', { token: null })).status, 401);
    assert.equal((await h.request('GET', '/Events?after=-1')).status, 400);
  });

  it('streams as SSE from Last-Event-ID and follows new commits', async () => {
    const address = await h.server.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const response = await fetch(`${address}/scim/v2/Events`, {
      headers: { authorization: `Bearer ${h.tokenA}`, accept: 'text/event-stream', 'last-event-id': '3' },
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    const ids = () => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    const read = async (want: number) => {
      while (ids().length < want) text += new TextDecoder().decode((await reader.read()).value);
    };
    await read(2);
    assert.deepEqual(ids(), [4, 5]);
    await h.request('POST', '/Users', { body: userBody('live@example.com') });
    await read(3);
    assert.deepEqual(ids(), [4, 5, 6]);
    const last = text.trim().split('\n\n').pop()!;
    const data = JSON.parse(
      last
        .split('\n')
        .find((l) => l.startsWith('data: '))!
        .slice(6),
    ) as CloudEvent;
    assertValidEvent(data);
    assert.equal((data.data['resource'] as Record<string, unknown>)['userName'], 'live@example.com');
    controller.abort();
  });

  it('GET /metrics reports the outbox', async () => {
    const r = await h.server.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(r.body, /^scimd_outbox_depth \d+$/m);
  });
});
