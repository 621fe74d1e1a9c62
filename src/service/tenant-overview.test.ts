import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lenientScope } from '../../test/helpers/service-scope.ts';
import { ScimError } from '../errors/scim-error.ts';
import type { SinkStatus } from '../events/sink-status.ts';
import { createCoreRegistry } from '../schema/registry.ts';
import { openStore } from '../store/open.ts';
import type { RequestLogEntry } from '../store/ports/request-log.ts';
import type { Store } from '../store/ports/store.ts';
import { createResourceService } from './resources.ts';
import { createTenantOverview } from './tenant-overview.ts';
import { createTenantService } from './tenants.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const NONE = { attributes: undefined, excludedAttributes: undefined };
/** A sink URL with credentials, and its name without them (docs/events.md: sinks are named so in metrics and the console). */
const SINK_URL = 'amqp://scimd:hunter2@mq.example.com:5672/vhost?exchange=scim&secret=s3';
const SINK = 'amqp://scimd@mq.example.com:5672/vhost?exchange=scim';
const OTHER_URL = 'https://hooks.example.com/scim#frag';
const OTHER = 'https://hooks.example.com/scim';

function entry(time: string, status: number, client: string, userAgent?: string): RequestLogEntry {
  return {
    tenantId: 't-1',
    time,
    method: 'GET',
    path: '/Users',
    query: '',
    status,
    scimType: undefined,
    latencyMs: 1,
    requestId: 'r',
    tokenId: undefined,
    client,
    userAgent,
    resourceId: undefined,
    requestBody: undefined,
    requestBytes: 0,
    requestCut: false,
    responseBody: undefined,
    responseBytes: 0,
    responseCut: false,
    operations: undefined,
  };
}

const status = (sink: string, lastError: string | undefined): SinkStatus => ({
  sink,
  pending: 0,
  oldestPendingTime: undefined,
  oldestPendingAgeSeconds: 0,
  relay: { delivered: 0, failures: 0, consecutiveFailures: 0, lastError, retryAt: undefined },
});

describe("a tenant at a glance (docs/console.md, Overview): counts, the last 24 hours' requests, each sink's position", () => {
  let store: Store;
  let now = Date.parse('2026-03-02T10:00:00.000Z');
  const clock = () => new Date(now);

  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
    await store.createTenant({ id: 't-1', name: 'acme', createdAt: '2026-03-01T00:00:00.000Z' });
    const resources = createResourceService({
      store,
      registries: { forTenant: async () => createCoreRegistry() },
      clock,
      limits: { maxResults: 100, defaultPageSize: 100, cursorTimeoutSeconds: 60 },
      hashPassword: async (p) => `hash:${p}`,
    });
    const scope = lenientScope('t-1');
    now = Date.parse('2026-03-02T09:59:00.000Z');
    for (const userName of ['ann', 'bob']) await resources.create(scope, 'User', { schemas: [USER], userName }, NONE);
    now = Date.parse('2026-03-02T09:59:30.000Z');
    await resources.create(scope, 'Group', { schemas: [GROUP], displayName: 'team' }, NONE);
    now = Date.parse('2026-03-02T10:00:00.000Z');
    await store.appendRequests([
      entry('2026-03-01T09:59:59.999Z', 500, 'other'),
      entry('2026-03-01T10:00:00.000Z', 404, 'okta'),
      entry('2026-03-02T09:00:00.000Z', 200, 'entra', 'Azure AD'),
      entry('2026-03-02T09:30:00.000Z', 400, 'entra', 'Azure AD'),
    ]);
    await store.markDelivered(SINK, 't-1', 1);
  });
  after(() => store.close());

  it('counts, requests and errors of the last 24 hours (from exactly 24 h ago), the last request; sinks by name, without credentials', async () => {
    const overview = createTenantOverview({
      store,
      tenants: createTenantService(store, clock),
      sinkUrls: [SINK_URL, OTHER_URL],
      sinks: async () => [status(OTHER, 'HTTP 503'), status(SINK, undefined)],
      clock,
    });
    const got = await overview.overview('acme');
    assert.deepEqual(got.tenant.name, 'acme');
    assert.deepEqual(
      { ...got, tenant: undefined },
      {
        tenant: undefined,
        users: 2,
        groups: 1,
        requests: 3,
        errors: 2,
        lastRequest: { time: '2026-03-02T09:30:00.000Z', client: 'entra', status: 400, userAgent: 'Azure AD' },
        latestSequence: 3,
        sinks: [
          // The first event (09:59:00) was delivered to SINK: its oldest pending is the second (09:59:00 too).
          { sink: SINK, deliveredSequence: 1, pending: 2, lagSeconds: 60, lastError: undefined },
          { sink: OTHER, deliveredSequence: 0, pending: 3, lagSeconds: 60, lastError: 'HTTP 503' },
        ],
      },
    );
    assert.deepEqual(await overview.activity('t-1'), {
      users: 2,
      groups: 1,
      requests: 3,
      errors: 2,
      lastRequest: { time: '2026-03-02T09:30:00.000Z', client: 'entra', status: 400, userAgent: 'Azure AD' },
    });
  });

  it('the lag is whole seconds, never negative (a clock behind the event), 0 with nothing pending; no relay, no last error', async () => {
    const at = (iso: string) =>
      createTenantOverview({
        store,
        tenants: createTenantService(store),
        sinkUrls: [SINK_URL],
        sinks: async () => [{ ...status(SINK, 'x'), relay: undefined }],
        clock: () => new Date(iso),
      }).overview('acme');
    assert.equal((await at('2026-03-02T09:59:01.499Z')).sinks[0]!.lagSeconds, 1);
    assert.equal((await at('2026-03-02T09:59:01.500Z')).sinks[0]!.lagSeconds, 2);
    assert.equal((await at('2026-03-02T09:58:00.000Z')).sinks[0]!.lagSeconds, 0);
    assert.equal((await at('2026-03-02T10:00:00.000Z')).sinks[0]!.lastError, undefined);
    // A sink the relay reports nothing about yet (just configured): no last error, not a failure.
    const unreported = await createTenantOverview({
      store,
      tenants: createTenantService(store),
      sinkUrls: [SINK_URL],
      sinks: async () => [],
      clock: () => new Date('2026-03-02T10:00:00.000Z'),
    }).overview('acme');
    assert.equal(unreported.sinks[0]?.sink, SINK);
    assert.equal(unreported.sinks[0]?.lastError, undefined);
    await store.markDelivered(SINK, 't-1', 3);
    assert.deepEqual((await at('2026-03-02T10:00:00.000Z')).sinks, [
      { sink: SINK, deliveredSequence: 3, pending: 0, lagSeconds: 0, lastError: undefined },
    ]);
    const unclocked = createTenantOverview({ store, tenants: createTenantService(store), sinkUrls: [], sinks: async () => [] });
    assert.deepEqual((await unclocked.overview('acme')).sinks, [], 'no sinks configured');
    await assert.rejects(unclocked.overview('nobody'), (error: unknown) => {
      assert.ok(error instanceof ScimError, String(error));
      assert.equal(error.status, 404);
      return true;
    });
  });
});
