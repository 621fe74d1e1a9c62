import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import parsePrometheusTextFormat, { type Family } from 'parse-prometheus-text-format';
import { type Harness, startHarness, userBody } from '../helpers/harness.ts';

/** The samples of one family whose labels include `labels`. */
function samples(families: readonly Family[], name: string, labels: Record<string, string> = {}) {
  const family = families.find((f) => f.name === name);
  assert.ok(family, `${name} is exposed`);
  return family.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
}

const value = (families: readonly Family[], name: string, labels: Record<string, string>) => {
  const found = samples(families, name, labels);
  assert.equal(found.length, 1, `${name} ${JSON.stringify(labels)}: ${JSON.stringify(found)}`);
  return Number(found[0]!.value);
};

/** docs/operations.md "Metrics": the contract's series, checked after real traffic, the text read by a Prometheus parser. */
describe('GET /metrics (Prometheus exposition, prom-client)', () => {
  let h: Harness;
  let families: Family[];
  let raw: string;

  before(async () => {
    h = await startHarness({ SCIMD_RATE_LIMIT_TOKEN: '1000', SCIMD_RATE_LIMIT_TOKEN_BURST: '1000' });
    const created = await h.request('POST', '/Users', { body: userBody('metered@example.com') });
    assert.equal(created.status, 201);
    for (let i = 0; i < 3; i++) assert.equal((await h.request('GET', `/Users/${created.body.id}`)).status, 200);
    assert.equal((await h.request('GET', '/Users/no-such-user')).status, 404);
    assert.equal((await h.request('GET', '/Users?filter=userName%20eq')).status, 400);
    assert.equal((await h.request('GET', '/Users', { token: null })).status, 401);
    assert.equal((await h.request('GET', '/Users', { token: 'scimd_not-a-token' })).status, 401);
    assert.equal((await h.request('GET', '/Users', { token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' })).status, 401);
    assert.equal((await h.request('GET', '/NoSuchEndpoint')).status, 404);
    const scraped = await h.server.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(scraped.statusCode, 200);
    assert.match(String(scraped.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    raw = scraped.body;
    families = parsePrometheusTextFormat(raw);
  });
  after(() => h.close());

  it('scimd_http_requests_total counts by method, route template (never an id) and status', () => {
    const route = `${h.base}/Users/:id`;
    assert.equal(value(families, 'scimd_http_requests_total', { method: 'GET', route, status: '200' }), 3);
    assert.equal(value(families, 'scimd_http_requests_total', { method: 'GET', route, status: '404' }), 1);
    assert.equal(value(families, 'scimd_http_requests_total', { method: 'POST', route: `${h.base}/Users`, status: '201' }), 1);
    assert.equal(value(families, 'scimd_http_requests_total', { method: 'GET', route: `${h.base}/Users`, status: '401' }), 3);
    assert.equal(value(families, 'scimd_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }), 1);
    assert.equal(families.find((f) => f.name === 'scimd_http_requests_total')?.type, 'COUNTER');
    assert.ok(!raw.includes('no-such-user'), 'raw ids never become labels');
    for (const s of samples(families, 'scimd_http_requests_total')) {
      assert.deepEqual(Object.keys(s.labels ?? {}).sort(), ['method', 'route', 'status']);
    }
  });

  it('scimd_http_request_duration_seconds is a histogram with the status as a class', () => {
    assert.equal(families.find((f) => f.name === 'scimd_http_request_duration_seconds')?.type, 'HISTOGRAM');
    // The parser merges a labelled histogram's samples into one (a limitation of the library): its
    // series are read from the text lines, which it has already checked.
    const labels = `method="GET",route="${h.base}/Users/:id",status="2xx"`;
    const line = (suffix: string, extra = '') => {
      const match = new RegExp(
        `^scimd_http_request_duration_seconds_${suffix}\\{${extra}${labels.replace(/[/:.]/g, '\\$&')}\\} (\\S+)$`,
        'm',
      ).exec(raw);
      assert.ok(match, `${suffix} ${extra}${labels}`);
      return Number(match[1]);
    };
    assert.equal(line('count'), 3);
    assert.ok(line('sum') > 0);
    assert.equal(line('bucket', 'le="\\+Inf",'), 3);
    assert.ok(!/^scimd_http_request_duration_seconds_count\{[^}]*status="200"/m.test(raw), 'the status is a class');
  });

  it('authentication failures by reason, SCIM errors by scimType', () => {
    assert.equal(value(families, 'scimd_auth_failures_total', { reason: 'missing' }), 1);
    assert.equal(value(families, 'scimd_auth_failures_total', { reason: 'invalid' }), 1);
    assert.equal(value(families, 'scimd_auth_failures_total', { reason: 'jwt' }), 1);
    assert.equal(value(families, 'scimd_scim_errors_total', { status: '400', scimType: 'invalidFilter' }), 1);
    assert.equal(value(families, 'scimd_scim_errors_total', { status: '404', scimType: 'none' }), 2);
    assert.equal(value(families, 'scimd_scim_errors_total', { status: '401', scimType: 'none' }), 3);
  });

  it('the request log: its backlog, what it wrote, and what it lost (docs/operations.md)', async () => {
    await h.server.requestLog.flush();
    const now = parsePrometheusTextFormat((await h.server.app.inject({ method: 'GET', url: '/metrics' })).body);
    assert.equal(value(now, 'scimd_request_log_queued', {}), 0);
    // The six authenticated requests of before(): the create, three reads, the 404 and the 400.
    // The 401s and the unmatched route have no tenant and are not recorded.
    assert.equal(value(now, 'scimd_request_log_written_total', {}), 6);
    assert.equal(value(now, 'scimd_request_log_lost_total', { reason: 'queue_full' }), 0);
    assert.equal(value(now, 'scimd_request_log_lost_total', { reason: 'write_failed' }), 0);
  });

  it('the outbox series keep their names; Node default metrics are there; the database pool on PostgreSQL', () => {
    assert.ok(value(families, 'scimd_outbox_depth', {}) >= 1, 'the create is in the outbox');
    for (const name of ['scimd_outbox_pending', 'scimd_outbox_oldest_undelivered_seconds'])
      assert.ok(families.some((f) => f.name === name));
    for (const name of [
      'nodejs_eventloop_lag_seconds',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
    ]) {
      assert.ok(
        families.some((f) => f.name === name),
        name,
      );
    }
    if (h.server.store.capabilities.dialect === 'postgres') {
      assert.ok(value(families, 'scimd_db_pool_connections', { state: 'idle' }) >= 1);
      // Busy, waiting and in flight depend on what runs during the scrape (its own outbox query): present, not negative.
      assert.ok(value(families, 'scimd_db_pool_connections', { state: 'waiting' }) >= 0);
      assert.ok(value(families, 'scimd_db_pool_connections', { state: 'busy' }) >= 0);
      assert.ok(value(families, 'scimd_db_pipelined_connections', {}) >= 1, 'the reads went over pipelined connections');
      assert.ok(value(families, 'scimd_db_pipelined_in_flight', {}) >= 0);
    }
  });
});

describe('GET /metrics: rate limits, SCIMD_METRICS_TOKEN, tenant labels', () => {
  it('counts 429s by the limit reached; a token protects the scrape; tenant labels only when asked', async () => {
    const h = await startHarness({
      SCIMD_RATE_LIMIT_TOKEN: '1',
      SCIMD_RATE_LIMIT_TOKEN_BURST: '1',
      SCIMD_METRICS_TOKEN: 'metrics-token-0123456789',
      SCIMD_METRICS_TENANT_LABELS: 'on',
    });
    try {
      assert.equal((await h.request('GET', '/Users')).status, 200);
      assert.equal((await h.request('GET', '/Users')).status, 429);
      assert.equal((await h.server.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
      const wrong = await h.server.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer metrics-token-0123456780' },
      });
      assert.equal(wrong.statusCode, 401);
      const scraped = await h.server.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer metrics-token-0123456789' },
      });
      assert.equal(scraped.statusCode, 200);
      const families = parsePrometheusTextFormat(scraped.body);
      assert.equal(value(families, 'scimd_rate_limited_total', { limit: 'token' }), 1);
      assert.equal(value(families, 'scimd_http_requests_total', { route: `${h.base}/Users`, status: '429', tenant: 'acme' }), 1);
    } finally {
      await h.close();
    }
  });
});
