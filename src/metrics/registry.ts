import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { DURATION_BUCKETS, HttpSeries } from './http-series.ts';

export interface MetricsOptions {
  /** SCIMD_METRICS_TENANT_LABELS: a `tenant` label on the HTTP series (tenants can number in the thousands). */
  readonly tenantLabels: boolean;
}

/**
 * The Prometheus registry of one server (prom-client): the HTTP series, authentication failures,
 * rate limits and SCIM errors, Node's default metrics, and whatever other modules register with
 * `counter`, `gauge` and `histogram` (names must start with `scimd_`). One registry per server,
 * never prom-client's global one: tests run several servers in a process.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #http: HttpSeries;
  readonly #authFailures: Counter<'reason'>;
  readonly #rateLimited: Counter<'limit'>;
  readonly #scimErrors: Counter<'status' | 'scimType'>;
  readonly #membersSkipped: Counter;

  constructor(options: MetricsOptions) {
    this.#http = new HttpSeries(this.registry, options.tenantLabels);
    this.#authFailures = this.counter(
      'scimd_auth_failures_total',
      'SCIM requests refused by authentication (401) or a disabled tenant (403), by reason.',
      ['reason'],
    );
    this.#rateLimited = this.counter('scimd_rate_limited_total', 'SCIM requests refused with 429, by the limit that was reached.', [
      'limit',
    ]);
    this.#scimErrors = this.counter(
      'scimd_scim_errors_total',
      'SCIM error bodies answered, by status and scimType (none when it has none).',
      ['status', 'scimType'],
    );
    this.#membersSkipped = this.counter(
      'scimd_members_skipped_total',
      'Member ids that group writes skipped because no resource of the tenant has them (the lenient member rules).',
    );
    collectDefaultMetrics({ register: this.registry });
  }

  /** `collect`, when given, runs at each scrape: for totals kept elsewhere (reset, then inc). */
  counter<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (counter: Counter<L>) => void,
  ): Counter<L> {
    return new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect
        ? {
            collect(this: Counter<L>) {
              collect(this);
            },
          }
        : {}),
    });
  }

  /** `collect` runs at each scrape (it may be async) and sets the value. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = [], collect?: (gauge: Gauge<L>) => unknown): Gauge<L> {
    return new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect
        ? {
            async collect(this: Gauge<L>) {
              await collect(this);
            },
          }
        : {}),
    });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: readonly number[] = DURATION_BUCKETS,
  ): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets: [...buckets], registers: [this.registry] });
  }

  /** One answered request. `route` is the route template (/scim/v2/Users/:id), never the raw path. */
  observeRequest(method: string, route: string, status: number, ms: number, tenant: string | undefined): void {
    this.#http.observe(method, route, status, ms, tenant);
  }

  authFailure(reason: string): void {
    this.#authFailures.inc({ reason });
  }

  rateLimited(limit: string): void {
    this.#rateLimited.inc({ limit });
  }

  membersSkipped(count: number): void {
    this.#membersSkipped.inc(count);
  }

  scimError(status: number, scimType: string | undefined): void {
    this.#scimErrors.inc({ status: String(status), scimType: scimType ?? 'none' });
  }

  /** The text exposition (Prometheus 0.0.4). */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
