/**
 * Settings every benchmark gives the scimd it measures. A load generator is one client asking far
 * more than any identity provider would (Entra sends at most 25 requests/s per tenant): the
 * per-tenant and per-token rate limits would answer most of it with 429, and the figures would
 * measure the limiter. The limits have their own tests (test/conformance/rate-limits.test.ts).
 */
export const BENCH_SERVER_ENV = { SCIMD_RATE_LIMIT_TENANT: '0', SCIMD_RATE_LIMIT_TOKEN: '0' } as const;
