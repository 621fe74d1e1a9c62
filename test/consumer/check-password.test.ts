import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { checkPassword, ScimRequestError } from '../../consumer/index.ts';
import { type Harness, startHarness, userBody } from '../helpers/harness.ts';

describe('scimd/consumer checkPassword: POST /auth/verify as one call (docs/password-sync.md)', () => {
  let h: Harness;
  let origin: string;
  let token: string;
  before(async () => {
    h = await startHarness({ SCIMD_RATE_LIMIT_VERIFY: '1', SCIMD_RATE_LIMIT_VERIFY_BURST: '4' });
    await h.server.app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${(h.server.app.server.address() as AddressInfo).port}`;
    token = (await h.server.passwordVerifier.mintToken('acme')).token;
  });
  after(async () => h?.close());

  it('ok with the user for the password, not ok for any refused credential; a refused token or a rate limit throws', async () => {
    const created = await h.request('POST', '/Users', { body: userBody('library.user@example.com', { password: 'Library-Pa55' }) });
    assert.equal(created.status, 201);
    assert.deepEqual(await checkPassword({ origin, token }, 'Library.User@example.com', 'Library-Pa55'), {
      ok: true,
      user: { id: created.body.id, userName: 'library.user@example.com', active: true, tenant: 'acme' },
    });
    assert.deepEqual(await checkPassword({ origin: `${origin}/`, token }, 'library.user@example.com', 'wrong'), { ok: false });
    assert.deepEqual(await checkPassword({ origin, token }, 'nobody@example.com', 'Library-Pa55'), { ok: false });
    await assert.rejects(
      checkPassword({ origin, token: h.tokenA }, 'library.user@example.com', 'Library-Pa55'),
      (error) => error instanceof ScimRequestError && error.status === 401,
      'a SCIM token is no verify token: the module is misconfigured, not the user wrong',
    );
    // Beyond the token's burst (4; 1 a second after it): a burst of checks at once meets 429.
    const burst = await Promise.allSettled(Array.from({ length: 12 }, () => checkPassword({ origin, token }, 'nobody@example.com', 'x')));
    const limited = burst.filter((r) => r.status === 'rejected' && r.reason instanceof ScimRequestError && r.reason.status === 429);
    assert.ok(limited.length > 0, 'a rate limit throws');
    assert.ok(burst.every((r) => r.status === 'rejected' || r.value.ok === false));
  });
});
