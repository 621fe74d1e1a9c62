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
}

/** Beyond this many buckets, the full ones (idle long enough to have refilled) are dropped. */
const PRUNE_ABOVE = 10_000;

/**
 * Request rate limits per tenant and per token (a JWT's subject counts as its token), held in
 * this process only: with N instances behind a load balancer a tenant may get up to N times the
 * limit. A request takes one unit from both its buckets or, when either is empty, from neither,
 * and is refused with 429 and Retry-After (the seconds until both have a unit again).
 */
export function createRateLimiter(limits: RateLimits, now: () => number = () => performance.now()) {
  const buckets = new Map<string, Bucket>();

  function refilled(key: string, limit: RateLimit, t: number): Bucket {
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { tokens: limit.burst, at: t };
      buckets.set(key, bucket);
    } else {
      // max(0, …): a wall clock stepped backwards must not drain the bucket.
      bucket.tokens = Math.min(limit.burst, bucket.tokens + (Math.max(0, t - bucket.at) / 1000) * limit.perSecond);
      bucket.at = t;
    }
    return bucket;
  }

  function prune(t: number): void {
    for (const [key, bucket] of buckets) {
      const limit = key.startsWith('t:') ? limits.tenant : limits.token;
      if (bucket.tokens + ((t - bucket.at) / 1000) * limit.perSecond >= limit.burst) buckets.delete(key);
    }
  }

  /** Takes one request from the principal's buckets, or throws 429. */
  function take(principal: Principal): void {
    const t = now();
    if (buckets.size > PRUNE_ABOVE) prune(t);
    const checked: { bucket: Bucket; limit: RateLimit; scope: string }[] = [];
    if (limits.tenant.perSecond > 0)
      checked.push({ bucket: refilled(`t:${principal.tenantId}`, limits.tenant, t), limit: limits.tenant, scope: 'tenant' });
    if (limits.token.perSecond > 0) {
      const key = `k:${principal.tenantId}:${principal.tokenId}`;
      checked.push({ bucket: refilled(key, limits.token, t), limit: limits.token, scope: 'token' });
    }
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

export type RateLimiter = ReturnType<typeof createRateLimiter>;
