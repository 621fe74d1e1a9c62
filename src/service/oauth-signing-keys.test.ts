import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/ports/store.ts';
import { createSigningKeys, MAX_TOKEN_LIFETIME_SECONDS } from './oauth-signing-keys.ts';

const DAY = 86_400_000;
/** docs/oauth.md: a retired key stays published 6 hours (the longest token lifetime) plus 5 minutes. */
const RETIRED_AFTER = 6 * 3_600_000 + 5 * 60_000;

describe("the signing keys of scimd's access tokens (docs/oauth.md, 'Signing keys and rotation')", () => {
  let store: Store;
  let now = Date.parse('2026-03-01T10:00:00.000Z');
  const clock = () => new Date(now);
  before(async () => {
    store = await openStore('sqlite::memory:');
    await store.migrate();
  });
  after(() => store.close());

  const kids = async () => (await store.listOAuthSigningKeys()).map((k) => k.kid);

  it('the first key is made on first use, named by its day; ES256, published as its public half only', async () => {
    assert.equal(MAX_TOKEN_LIFETIME_SECONDS, 21_600);
    const keys = createSigningKeys({ store, rotationSeconds: 30 * 86_400, clock });
    const { kid } = await keys.signingKey();
    assert.match(kid, /^scimd-2026-03-01-[0-9a-f]{8}$/);
    assert.deepEqual(await kids(), [kid]);
    const stored = JSON.parse((await store.listOAuthSigningKeys())[0]!.privateJwk) as Record<string, unknown>;
    assert.deepEqual([stored['kty'], stored['crv'], typeof stored['d']], ['EC', 'P-256', 'string'], 'the private key is kept');
    const { keys: published } = await keys.jwks();
    assert.equal(published.length, 1);
    assert.deepEqual(published[0], { kty: 'EC', crv: 'P-256', x: stored['x'], y: stored['y'], kid, alg: 'ES256', use: 'sig' });
    assert.equal((await keys.signingKey()).kid, kid, 'the same key signs until the rotation is due');
    assert.ok(await keys.verificationKey(kid));
  });

  it('SCIMD_OAUTH_KEY_ROTATION: a new key signs once the newest is that old; the old one stays published, then goes', async () => {
    const start = now;
    const keys = createSigningKeys({ store, rotationSeconds: DAY / 1000, clock });
    const [first] = await kids();
    now = start + DAY - 1;
    assert.equal((await keys.signingKey()).kid, first);
    now = start + DAY;
    const second = (await keys.signingKey()).kid;
    assert.notEqual(second, first);
    assert.match(second, /^scimd-2026-03-02-/);
    assert.deepEqual(await kids(), [first, second]);
    assert.deepEqual(
      (await keys.jwks()).keys.map((k) => k.kid),
      [first, second],
    );
    assert.ok(await keys.verificationKey(first!), 'tokens of the old key still verify');

    // The old key goes once its successor has signed longer than any token lives (read again each minute).
    const fresh = createSigningKeys({ store, rotationSeconds: 30 * 86_400, clock });
    now = start + DAY + RETIRED_AFTER;
    await fresh.signingKey();
    assert.deepEqual(await kids(), [first, second], 'not before');
    const later = createSigningKeys({ store, rotationSeconds: 30 * 86_400, clock });
    now += 1;
    await later.signingKey();
    assert.deepEqual(await kids(), [second]);
    assert.equal(await later.verificationKey(first!), undefined);
  });

  it('rotate(): a new key at once; other instances see it within a minute, or at once for a token that names it', async () => {
    const here = createSigningKeys({ store, rotationSeconds: 30 * 86_400, clock });
    const there = createSigningKeys({ store, rotationSeconds: 30 * 86_400, clock });
    const before = (await there.signingKey()).kid;
    await here.signingKey();
    const rotated = await here.rotate();
    assert.notEqual(rotated, before);
    assert.equal((await here.signingKey()).kid, rotated);
    assert.equal((await there.signingKey()).kid, before, 'the keys are read again after a minute');
    assert.ok(await there.verificationKey(rotated), 'a token naming an unknown kid reads the keys again');
    now += 59_999;
    assert.equal((await there.signingKey()).kid, rotated, 'the reload made the new key known');

    assert.equal(await there.verificationKey('scimd-unknown'), undefined);
    const third = await here.rotate();
    now += 999;
    assert.equal(await there.verificationKey(third), undefined, 'at most one reload a second for unknown kids');
    now += 1;
    assert.ok(await there.verificationKey(third));
  });

  it('the keys are read again every minute', async () => {
    const here = createSigningKeys({ store, rotationSeconds: 30 * 86_400, clock });
    const there = createSigningKeys({ store, rotationSeconds: 30 * 86_400, clock });
    const current = (await there.signingKey()).kid;
    const rotated = await here.rotate();
    now += 59_999;
    assert.equal((await there.signingKey()).kid, current);
    now += 1;
    assert.equal((await there.signingKey()).kid, rotated);
  });

  it('each due rotation makes a new key, the second one too', async () => {
    const empty = await openStore('sqlite::memory:');
    await empty.migrate();
    const start = now;
    try {
      const keys = createSigningKeys({ store: empty, rotationSeconds: DAY / 1000, clock });
      const first = (await keys.signingKey()).kid;
      now = start + DAY;
      const second = (await keys.signingKey()).kid;
      now = start + 2 * DAY;
      const third = (await keys.signingKey()).kid;
      assert.equal(new Set([first, second, third]).size, 3);
    } finally {
      now = start;
      empty.close();
    }
  });

  it('concurrent first uses make one key', async () => {
    const empty = await openStore('sqlite::memory:');
    await empty.migrate();
    try {
      const keys = createSigningKeys({ store: empty, rotationSeconds: 30 * 86_400, clock });
      const kids = new Set(
        (await Promise.all([keys.signingKey(), keys.signingKey(), keys.jwks()])).map((k) => ('kid' in k ? k.kid : k.keys[0]!.kid)),
      );
      assert.equal(kids.size, 1);
      assert.equal((await empty.listOAuthSigningKeys()).length, 1);
    } finally {
      empty.close();
    }
  });
});
