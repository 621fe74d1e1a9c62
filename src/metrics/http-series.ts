import type { Registry } from 'prom-client';

/** Latency buckets in seconds: a SCIM lookup takes well under a millisecond, a bulk import seconds. */
export const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Count {
  readonly labels: Readonly<Record<string, string>>;
  value: number;
}

interface Timing {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket, not cumulative (the last one is +Inf); summed up at scrape. */
  readonly bins: Float64Array;
  sum: number;
  count: number;
}

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };

/**
 * scimd_http_requests_total and scimd_http_request_duration_seconds, kept as plain numbers on the
 * request path and turned into Prometheus samples only when scraped. prom-client's own counters and
 * histograms hash their labels on every call (about 3 and 5 µs per request here); these cost a Map
 * lookup and a few additions (docs/operations.md, measured with bench/observability.ts).
 */
export class HttpSeries {
  readonly #tenantLabels: boolean;
  readonly #entries = new Map<string, { readonly count: Count; readonly timing: Timing }>();
  readonly #timings = new Map<string, Timing>();

  constructor(registry: Registry, tenantLabels: boolean) {
    this.#tenantLabels = tenantLabels;
    const counts = () => [...this.#entries.values()].map((e) => e.count);
    register(registry, 'scimd_http_requests_total', 'HTTP requests answered, by method, route template and status code.', 'counter', () =>
      counts().map((c) => ({ labels: { ...c.labels }, value: c.value })),
    );
    register(
      registry,
      'scimd_http_request_duration_seconds',
      'Time from request to response, by method, route template and status class (2xx, 4xx, …).',
      'histogram',
      () => [...this.#timings.values()].flatMap((t) => histogramSamples('scimd_http_request_duration_seconds', t)),
    );
  }

  /** One answered request. `route` is the route template (/scim/v2/Users/:id), never the raw path. */
  observe(method: string, route: string, status: number, ms: number, tenant: string | undefined): void {
    const key = this.#tenantLabels ? `${method} ${route} ${status} ${tenant ?? ''}` : `${method} ${route} ${status}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) entry = this.#add(key, method, route, status, tenant);
    entry.count.value++;
    const seconds = ms / 1000;
    const timing = entry.timing;
    let bin = 0;
    while (bin < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bin]!) bin++;
    timing.bins[bin]!++;
    timing.sum += seconds;
    timing.count++;
  }

  #add(key: string, method: string, route: string, status: number, tenant: string | undefined) {
    const code = String(status);
    const extra: Record<string, string> = this.#tenantLabels ? { tenant: tenant ?? '' } : {};
    const statusClass = `${code[0]}xx`;
    const timingKey = `${method} ${route} ${statusClass} ${extra['tenant'] ?? ''}`;
    let timing = this.#timings.get(timingKey);
    if (timing === undefined) {
      timing = {
        labels: { method, route, status: statusClass, ...extra },
        bins: new Float64Array(DURATION_BUCKETS.length + 1),
        sum: 0,
        count: 0,
      };
      this.#timings.set(timingKey, timing);
    }
    const entry = { count: { labels: { method, route, status: code, ...extra }, value: 0 }, timing };
    this.#entries.set(key, entry);
    return entry;
  }
}

function histogramSamples(name: string, t: Timing): Sample[] {
  const out: Sample[] = [];
  let cumulative = 0;
  DURATION_BUCKETS.forEach((le, i) => {
    cumulative += t.bins[i]!;
    out.push({ labels: { le, ...t.labels }, value: cumulative, metricName: `${name}_bucket` });
  });
  out.push({ labels: { le: '+Inf', ...t.labels }, value: t.count, metricName: `${name}_bucket` });
  out.push({ labels: { ...t.labels }, value: t.sum, metricName: `${name}_sum` });
  out.push({ labels: { ...t.labels }, value: t.count, metricName: `${name}_count` });
  return out;
}

/** A metric whose samples are computed at scrape, in the shape prom-client's registry formats. */
function register(registry: Registry, name: string, help: string, type: 'counter' | 'histogram', values: () => Sample[]): void {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name, help, type, values: values(), aggregator: 'sum' }),
    reset: () => undefined,
  };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}
