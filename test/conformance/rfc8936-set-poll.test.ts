import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { GROUP_SCHEMA, type Harness, type Reply, startHarness, USER_SCHEMA } from '../helpers/harness.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PROV = 'urn:ietf:params:scim:event:prov';
const ISSUER = 'https://scim.example.com/scim/v2';
const AUDIENCE = `${ISSUER}/Events/SET/poll`;
const WAIT_MS = 1500;

type Claims = JWTPayload & {
  txn: string;
  sub_id: { format: string; uri: string; externalId?: string };
  events: Record<string, Record<string, unknown>>;
  toe: number;
  tenant: string;
};

describe('rfc9967 security events delivered by rfc8936 poll', () => {
  let h: Harness;
  let verify: (token: string) => Promise<Claims>;

  const poll = (body: unknown, token?: string | null): Promise<Reply> =>
    h.request('POST', '/Events/SET/poll', {
      body,
      ...(token !== undefined ? { token } : {}),
      headers: { 'content-type': 'application/json' },
    });

  /** Polls, checks the RFC 8936 §2.2 shape, verifies every SET and returns their claims in order. */
  async function pollClaims(
    body: Record<string, unknown>,
    token?: string,
  ): Promise<{ claims: Claims[]; moreAvailable: boolean; reply: Reply }> {
    const reply = await poll(body, token);
    assert.equal(reply.status, 200, reply.raw);
    assert.match(String(reply.headers['content-type']), /^application\/json/);
    assert.equal(typeof reply.body.sets, 'object');
    const claims: Claims[] = [];
    for (const [jti, set] of Object.entries(reply.body.sets as Record<string, string>)) {
      const verified = await verify(set);
      assert.equal(verified.jti, jti, 'sets are keyed by jti');
      claims.push(verified);
    }
    return { claims, moreAvailable: reply.body.moreAvailable === true, reply };
  }

  before(async () => {
    h = await startHarness({}, { server: { setPollWaitMs: WAIT_MS } });
    const jwks = await h.server.app.inject({ method: 'GET', url: '/.well-known/scim-set-jwks.json' });
    const keySet = createLocalJWKSet(JSON.parse(jwks.body));
    verify = async (token) => {
      const { payload, protectedHeader } = await jwtVerify(token, keySet, { issuer: ISSUER, audience: AUDIENCE, typ: 'secevent+jwt' });
      assert.ok(protectedHeader.kid, 'the kid names the signing key');
      return payload as Claims;
    };
  });
  after(() => h.close());

  it('rfc9967 §4 ServiceProviderConfig advertises securityEvents with the URIs scimd issues', async () => {
    const res = await h.request('GET', '/ServiceProviderConfig');
    assert.deepEqual(res.body.securityEvents, {
      asyncRequest: 'none',
      eventUris: [
        `${PROV}:create:full`,
        `${PROV}:patch:full`,
        `${PROV}:patch:notice`,
        `${PROV}:put:full`,
        `${PROV}:put:notice`,
        `${PROV}:delete`,
        `${PROV}:activate`,
        `${PROV}:deactivate`,
      ],
    });
  });

  it('the JWKS at /.well-known/scim-set-jwks.json publishes public keys only, without authentication', async () => {
    const res = await h.server.app.inject({ method: 'GET', url: '/.well-known/scim-set-jwks.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/jwk-set\+json/);
    const { keys } = JSON.parse(res.body) as { keys: Record<string, unknown>[] };
    assert.equal(keys.length, 1);
    assert.equal(keys[0]!['kty'], 'EC');
    assert.equal(keys[0]!['alg'], 'ES256');
    assert.equal(keys[0]!['use'], 'sig');
    assert.equal(typeof keys[0]!['kid'], 'string');
    assert.equal(keys[0]!['d'], undefined, 'no private part');
  });

  it('each change is a signed SET with the rfc9967 event URI, sub_id, txn and the resource data', async () => {
    const created = await h.request('POST', '/Users', {
      body: { schemas: [USER_SCHEMA], userName: 'alice', externalId: 'ext-alice', displayName: 'Alice', active: true },
    });
    const id = created.body.id as string;
    await h.request('PUT', `/Users/${id}`, {
      body: { schemas: [USER_SCHEMA], userName: 'alice', externalId: 'ext-alice', displayName: 'Alice A.', active: true },
    });
    const patch = (operations: unknown[]) => h.request('PATCH', `/Users/${id}`, { body: { schemas: [PATCH_OP], Operations: operations } });
    await patch([{ op: 'replace', path: 'active', value: false }]);
    await patch([{ op: 'replace', path: 'active', value: true }]);
    await patch([{ op: 'replace', path: 'password', value: 'N3w-secret!' }]);
    const group = await h.request('POST', '/Groups', { body: { schemas: [GROUP_SCHEMA], displayName: 'Sales', members: [{ value: id }] } });
    const groupId = group.body.id as string;
    await h.request('PATCH', `/Groups/${groupId}`, {
      body: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] },
    });
    await h.request('PUT', `/Groups/${groupId}`, { body: { schemas: [GROUP_SCHEMA], displayName: 'Sales EMEA' } });
    await h.request('DELETE', `/Users/${id}`);

    const { claims, moreAvailable } = await pollClaims({ returnImmediately: true });
    assert.equal(moreAvailable, false);
    const summary = claims.map((c) => [c.sub_id.uri, Object.keys(c.events)]);
    assert.deepEqual(summary, [
      [`/Users/${id}`, [`${PROV}:create:full`]],
      [`/Users/${id}`, [`${PROV}:put:full`]],
      [`/Users/${id}`, [`${PROV}:patch:full`, `${PROV}:deactivate`]],
      [`/Users/${id}`, [`${PROV}:patch:full`, `${PROV}:activate`]],
      [`/Users/${id}`, [`${PROV}:patch:notice`]],
      [`/Groups/${groupId}`, [`${PROV}:create:full`]],
      [`/Groups/${groupId}`, [`${PROV}:patch:full`]],
      [`/Groups/${groupId}`, [`${PROV}:patch:full`]],
      [`/Groups/${groupId}`, [`${PROV}:patch:full`]],
      [`/Users/${id}`, [`${PROV}:delete`]],
    ]);
    const [create, put, deactivate, activate, password, groupCreate, membersAdded, membersRemoved, rename, deleted] = claims as [
      Claims,
      Claims,
      Claims,
      Claims,
      Claims,
      Claims,
      Claims,
      Claims,
      Claims,
      Claims,
    ];

    // rfc9967 §2.1 / §2.2 and rfc8417 §2.2 claims.
    assert.deepEqual(create.sub_id, { format: 'scim', uri: `/Users/${id}`, externalId: 'ext-alice' });
    assert.equal(create.sub, undefined, 'rfc9967 §2.1: never sub');
    assert.equal(create.tenant, 'acme');
    assert.equal(typeof create.iat, 'number');
    assert.equal(create.toe, create.iat);
    const createData = create.events[`${PROV}:create:full`]!;
    assert.equal(createData['version'], 'W/"1"');
    assert.equal((createData['data'] as Record<string, unknown>)['id'], id, 'the assigned id is shared');
    assert.equal((createData['data'] as Record<string, unknown>)['userName'], 'alice');
    assert.equal((createData['data'] as Record<string, unknown>)['password'], undefined);

    const putData = put.events[`${PROV}:put:full`]!;
    assert.equal(putData['version'], 'W/"2"');
    assert.equal((putData['data'] as Record<string, unknown>)['displayName'], 'Alice A.');

    assert.deepEqual(deactivate.events[`${PROV}:patch:full`], {
      version: 'W/"3"',
      data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] },
    });
    assert.deepEqual(deactivate.events[`${PROV}:deactivate`], {});
    assert.deepEqual(activate.events[`${PROV}:activate`], {});
    assert.deepEqual(
      password.events[`${PROV}:patch:notice`],
      { version: 'W/"5"', attributes: ['password'] },
      'the password itself never travels',
    );

    // One write, one txn: the group's creation and its first members.
    assert.equal(groupCreate.txn, membersAdded.txn);
    assert.notEqual(create.txn, put.txn);
    assert.deepEqual(membersAdded.events[`${PROV}:patch:full`], {
      version: 'W/"1"',
      data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] },
    });
    assert.deepEqual((membersRemoved.events[`${PROV}:patch:full`]!['data'] as { Operations: unknown }).Operations, [
      { op: 'remove', path: `members[value eq "${id}"]` },
    ]);
    // A group's PUT goes out as the equivalent PATCH: its members never travel in an event.
    assert.deepEqual((rename.events[`${PROV}:patch:full`]!['data'] as { Operations: unknown }).Operations, [
      { op: 'replace', path: 'displayName', value: 'Sales EMEA' },
    ]);
    assert.deepEqual(deleted.events, { [`${PROV}:delete`]: {} });
    assert.equal(deleted.sub_id.externalId, 'ext-alice');
    assert.equal(new Set(claims.map((c) => c.jti)).size, claims.length, 'one jti per SET');
  });

  it('rfc8936 §2.4 unacknowledged SETs come back; acknowledged ones and setErrs never do', async () => {
    const first = await pollClaims({ returnImmediately: true });
    const again = await pollClaims({ returnImmediately: true });
    assert.ok(first.claims.length >= 10);
    assert.deepEqual(
      again.claims.map((c) => c.jti),
      first.claims.map((c) => c.jti),
      'nothing acknowledged yet',
    );
    const [a, b, c, ...rest] = first.claims.map((x) => x.jti!);
    const next = await pollClaims({
      returnImmediately: true,
      ack: [a, c],
      setErrs: { [b!]: { err: 'invalid_key', description: 'unknown kid' } },
    });
    assert.deepEqual(
      next.claims.map((x) => x.jti),
      rest,
    );
    // maxEvents bounds the answer and moreAvailable says the rest waits.
    const two = await pollClaims({ returnImmediately: true, maxEvents: 2 });
    assert.deepEqual(
      two.claims.map((x) => x.jti),
      rest.slice(0, 2),
    );
    assert.equal(two.moreAvailable, true);
    // Acknowledge only (maxEvents 0): no SETs in the answer.
    const ackOnly = await pollClaims({ maxEvents: 0, ack: rest.slice(0, rest.length - 1) });
    assert.deepEqual(ackOnly.claims, []);
    assert.equal(ackOnly.moreAvailable, true);
    const last = await pollClaims({ returnImmediately: true, ack: [] });
    assert.deepEqual(
      last.claims.map((x) => x.jti),
      rest.slice(-1),
    );
    assert.equal(last.moreAvailable, false);
    const done = await pollClaims({ returnImmediately: true, ack: rest.slice(-1) });
    assert.deepEqual(done.reply.body, { sets: {}, moreAvailable: false });
  });

  it('rfc8936 §2.1 long poll: an empty poll waits and answers as soon as a change commits', async () => {
    const started = Date.now();
    const waiting = pollClaims({ maxEvents: 10 }, h.tokenB);
    await new Promise((r) => setTimeout(r, 200));
    await h.request('POST', '/Users', { token: h.tokenB, body: { schemas: [USER_SCHEMA], userName: 'late' } });
    const { claims } = await waiting;
    assert.deepEqual(
      claims.map((c) => Object.keys(c.events)),
      [[`${PROV}:create:full`]],
    );
    assert.equal(claims[0]!.tenant, 'globex');
    assert.ok(Date.now() - started < WAIT_MS, 'answered before the long poll timed out');
    await poll({ ack: [claims[0]!.jti], maxEvents: 0 }, h.tokenB);
  });

  it('rfc8936 §2.1 long poll: with nothing to deliver it answers with no SETs after its wait', async () => {
    const started = Date.now();
    const { reply } = await pollClaims({}, h.tokenB);
    assert.deepEqual(reply.body, { sets: {}, moreAvailable: false });
    assert.ok(Date.now() - started >= WAIT_MS - 50, `waited ${Date.now() - started} ms`);
  });

  it("tenant isolation: a tenant polls only its own SETs and cannot acknowledge another's", async () => {
    await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: 'isolated' } });
    const acme = await pollClaims({ returnImmediately: true });
    assert.equal(acme.claims.length, 1);
    const globex = await pollClaims({ returnImmediately: true, ack: [acme.claims[0]!.jti] }, h.tokenB);
    assert.deepEqual(globex.claims, []);
    const still = await pollClaims({ returnImmediately: true });
    assert.deepEqual(
      still.claims.map((c) => c.jti),
      [acme.claims[0]!.jti],
    );
    assert.ok(acme.claims.every((c) => c.tenant === 'acme'));
  });

  it('rfc8935 §2.3 a malformed poll request is 400 invalid_request; no token is 401', async () => {
    for (const body of [
      { maxEvents: -1 },
      { maxEvents: 1.5 },
      { returnImmediately: 'yes' },
      { ack: [1] },
      { ack: 'x' },
      { setErrs: [] },
      { setErrs: { x: {} } },
    ]) {
      const res = await poll(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.err, 'invalid_request');
      assert.equal(typeof res.body.description, 'string');
    }
    assert.equal((await poll({ returnImmediately: true }, null)).status, 401);
    assert.equal((await h.request('GET', '/Events/SET/poll')).status, 405);
  });

  it('every SET names its signing key and type in the JWS header', async () => {
    await h.request('POST', '/Users', { body: { schemas: [USER_SCHEMA], userName: 'header-check' } });
    const res = await poll({ returnImmediately: true });
    const jwks = JSON.parse((await h.server.app.inject({ method: 'GET', url: '/.well-known/scim-set-jwks.json' })).body) as {
      keys: { kid: string }[];
    };
    const sets = Object.values(res.body.sets as Record<string, string>);
    assert.ok(sets.length >= 1, `the poll answered no SET: ${res.raw}`);
    for (const set of sets) {
      const header = decodeProtectedHeader(set);
      assert.equal(header.typ, 'secevent+jwt');
      assert.equal(header.alg, 'ES256');
      assert.equal(header.kid, jwks.keys[0]!.kid);
    }
  });
});
