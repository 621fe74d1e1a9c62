import { tooManyRequests } from '../errors/scim-error.ts';
import type { Principal } from './tenants.ts';

/** A token bucket: `perSecond` sustained, up to `burst` at once; perSecond 0 turns it off. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

export interface RateLimits {
  readonly tenant: RateLimit;
  readonly token: RateLimit;
}

interface Bucket {
  tokens: number;
  at: number;
  readonly limit: RateLimit;
}

/** One bucket a request takes a unit from: its key, its limit, and what the 429 calls it. */
export interface BucketClaim {
  readonly key: string;
  readonly limit: RateLimit;
  readonly scope: string;
}

/** Beyond this many buckets, the full ones (idle long enough to have refilled) are dropped. */
const PRUNE_ABOVE = 10_000;

/**
 * Token buckets by key, held in this process only. A request takes one unit from each bucket it
 * names or, when any is empty, from none, and is refused with 429 and Retry-After (the seconds
 * until all of them have a unit again). A limit of 0 per second is off: its bucket is skipped.
 */
export function createBuckets(now: () => number = () => performance.now()) {
  const buckets = new Map<string, Bucket>();

  function refilled(key: string, limit: RateLimit, t: number): Bucket {
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { tokens: limit.burst, at: t, limit };
      buckets.set(key, bucket);
    } else {
      // max(0, …): a wall clock stepped backwards must not drain the bucket.
      bucket.tokens = Math.min(limit.burst, bucket.tokens + (Math.max(0, t - bucket.at) / 1000) * limit.perSecond);
      bucket.at = t;
    }
    return bucket;
  }

  function prune(t: number): void {
    for (const [key, { tokens, at, limit }] of buckets) {
      if (tokens + ((t - at) / 1000) * limit.perSecond >= limit.burst) buckets.delete(key);
    }
  }

  /** Takes one unit from every claimed bucket, or throws 429. */
  function take(claims: readonly BucketClaim[]): void {
    const t = now();
    if (buckets.size > PRUNE_ABOVE) prune(t);
    const checked = claims.filter((c) => c.limit.perSecond > 0).map((c) => ({ ...c, bucket: refilled(c.key, c.limit, t) }));
    const empty = checked.filter((c) => c.bucket.tokens < 1);
    if (empty.length > 0) {
      const wait = Math.max(...empty.map((c) => (1 - c.bucket.tokens) / c.limit.perSecond));
      const which = empty.map((c) => `${c.limit.perSecond} requests/s per ${c.scope}`).join(' and ');
      throw tooManyRequests(`too many requests: the limit is ${which}; retry later`, Math.max(1, Math.ceil(wait)));
    }
    for (const c of checked) c.bucket.tokens -= 1;
  }

  return { take };
}

/**
 * Request rate limits per tenant and per token (a JWT's subject counts as its token), held in
 * this process only: with N instances behind a load balancer a tenant may get up to N times the
 * limit. A request takes one unit from both its buckets or, when either is empty, from neither.
 */
export function createRateLimiter(limits: RateLimits, now: () => number = () => performance.now()) {
  const buckets = createBuckets(now);
  /** Takes one request from the principal's buckets, or throws 429. */
  function take(principal: Pick<Principal, 'tenantId' | 'tokenId'>): void {
    buckets.take([
      { key: `t:${principal.tenantId}`, limit: limits.tenant, scope: 'tenant' },
      { key: `k:${principal.tenantId}:${principal.tokenId}`, limit: limits.token, scope: 'token' },
    ]);
  }
  return { take };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
