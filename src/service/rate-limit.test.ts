import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../errors/scim-error.ts';
import { createBuckets, createRateLimiter } from './rate-limit.ts';

const acme = { tenantId: 'acme-id', tenantName: 'acme', tokenId: 'tok_a' };
const acme2 = { ...acme, tokenId: 'tok_b' };
const globex = { tenantId: 'globex-id', tenantName: 'globex', tokenId: 'tok_g' };

function refused(retryAfter: string, detail: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ScimError);
    assert.equal(error.status, 429);
    assert.equal(error.headers['retry-after'], retryAfter);
    assert.match(error.detail, detail);
    return true;
  };
}

describe('rate limits: token buckets per tenant and per token', () => {
  it('allows the burst, then refuses with 429 and the seconds until a request fits again', () => {
    let now = 0;
    const limiter = createRateLimiter({ tenant: { perSecond: 2, burst: 3 }, token: { perSecond: 0, burst: 0 } }, () => now);
    for (let i = 0; i < 3; i++) limiter.take(acme);
    assert.throws(() => limiter.take(acme), refused('1', /2 requests\/s per tenant/));
    now = 499;
    assert.throws(() => limiter.take(acme), 'not yet one unit back');
    now = 500;
    limiter.take(acme);
    limiter.take(globex);
  });

  it('Retry-After rounds up the wait of the emptiest bucket', () => {
    let now = 0;
    const limiter = createRateLimiter({ tenant: { perSecond: 0.25, burst: 1 }, token: { perSecond: 0, burst: 0 } }, () => now);
    limiter.take(acme);
    assert.throws(() => limiter.take(acme), refused('4', /per tenant/));
    now = 3000;
    assert.throws(() => limiter.take(acme), refused('1', /per tenant/));
  });

  it('a token has its own bucket inside its tenant; a refused request takes from neither', () => {
    let now = 0;
    const limiter = createRateLimiter({ tenant: { perSecond: 1, burst: 4 }, token: { perSecond: 1, burst: 2 } }, () => now);
    limiter.take(acme);
    limiter.take(acme);
    assert.throws(() => limiter.take(acme), refused('1', /per token/));
    limiter.take(acme2);
    limiter.take(acme2);
    assert.throws(() => limiter.take(acme2), /per token/);
    now = 1000;
    // One unit back in acme's token bucket and in the tenant's (which had 0 left): both allow one.
    limiter.take(acme);
    assert.throws(() => limiter.take(acme2), /per tenant/);
  });

  it('0 requests/s turns a limit off', () => {
    const limiter = createRateLimiter({ tenant: { perSecond: 0, burst: 0 }, token: { perSecond: 0, burst: 0 } }, () => 0);
    for (let i = 0; i < 10_000; i++) limiter.take(acme);
  });

  it('with both buckets empty, 429 names both limits and Retry-After is the longer wait', () => {
    const limiter = createRateLimiter({ tenant: { perSecond: 1, burst: 1 }, token: { perSecond: 0.25, burst: 1 } }, () => 0);
    limiter.take(acme);
    assert.throws(() => limiter.take(acme), refused('4', /the limit is 1 requests\/s per tenant and 0\.25 requests\/s per token;/));
  });

  it('without a clock of its own it uses the process clock', () => {
    // One unit per 1,000 s: no unit comes back between two calls however slow the machine.
    const limiter = createRateLimiter({ tenant: { perSecond: 0.001, burst: 1 }, token: { perSecond: 0, burst: 0 } });
    limiter.take(acme);
    assert.throws(() => limiter.take(acme), refused('1000', /per tenant/));
    const buckets = createBuckets();
    const claim = { key: 'k', limit: { perSecond: 0.001, burst: 1 }, scope: 'client' };
    buckets.take([claim]);
    assert.throws(() => buckets.take([claim]), refused('1000', /per client/));
  });

  it('beyond 10,000 buckets only the full ones are dropped: a bucket not yet refilled keeps what it lacks', () => {
    let now = 1000;
    const buckets = createBuckets(() => now);
    const limit = { perSecond: 0.5, burst: 2 };
    const drained = { key: 'drained', limit, scope: 'client' };
    buckets.take([drained]);
    buckets.take([drained]);
    assert.throws(() => buckets.take([drained]), /per client/);
    for (let i = 0; i < 10_000; i++) buckets.take([{ key: `other-${i}`, limit, scope: 'client' }]);
    // 2 s later the others are full again (1 + 2 × 0.5) and go; the drained one has 1 unit of 2.
    now = 3000;
    buckets.take([{ key: 'one more', limit, scope: 'client' }]);
    buckets.take([drained]);
    assert.throws(() => buckets.take([drained]), refused('2', /per client/));
  });
});
